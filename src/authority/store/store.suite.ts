/**
 * The one suite every AuthorityStore passes (with store.revocations.suite.ts).
 * `open` returns a new store on the same underlying database each call (that
 * is how reopening and two racing authority processes are tested); the suite
 * runs migrate() itself.
 *
 * Tests share that database, so each uses fresh names and a time window later
 * than every earlier test's (see `later`), and asserts only on its own rows or
 * on properties that hold whatever else is stored.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DeviceOwnedElsewhereError,
  UsernameTakenError,
  type AccountRecord,
  type AuthorityStore,
  type DeviceRecord,
} from './types.js'

let clock = 1_700_000_000_000

/** A time window of its own for each test: later than all earlier tests' times, offsets below 1e6. */
export function later(): number {
  clock += 1_000_000
  return clock
}

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}

function bytes(length = 32): Uint8Array {
  return new Uint8Array(randomBytes(length))
}

function accountRecord(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    username: unique('user'),
    passwordHash: '$scrypt$n=16384,r=8,p=1$c2FsdA$aGFzaA',
    createdAt: later(),
    policy: null,
    organisation: null,
    ...overrides,
  }
}

/** The store a test runs against, and helpers that write through it. */
export interface StoreUnderTest {
  /** Opened and migrated before each test and closed after it; a test that reopens it assigns the new one. */
  store: AuthorityStore
  /** Another store on the same database, migrated; closed after the test even when it fails. */
  openMigrated: () => Promise<AuthorityStore>
  addDevice: (username?: string, now?: number) => Promise<DeviceRecord>
  createAccount: (overrides?: Partial<AccountRecord>) => Promise<AccountRecord>
}

/** Call inside a describe: registers the hooks that open the store before each test and close it after. */
export function storeUnderTest(open: () => Promise<AuthorityStore>): StoreUnderTest {
  let current: AuthorityStore | undefined
  const extra: AuthorityStore[] = []

  const t: StoreUnderTest = {
    get store(): AuthorityStore {
      if (current === undefined) throw new Error('the store is open only while a test runs')
      return current
    },
    set store(store: AuthorityStore) {
      current = store
    },

    openMigrated: async () => {
      const opened = await open()
      extra.push(opened)
      await opened.migrate()
      return opened
    },

    addDevice: async (username, now = later()) => {
      const owner = username ?? (await t.createAccount()).username
      return t.store.upsertDevice({
        deviceId: unique('12D3Koo'),
        username: owner,
        publicKey: bytes(),
        name: 'laptop',
        now,
      })
    },

    createAccount: async (overrides = {}) => {
      const account = accountRecord(overrides)
      await t.store.createAccount(account)
      return account
    },
  }

  beforeEach(async () => {
    t.store = await open()
    await t.store.migrate()
  })

  afterEach(async () => {
    await current?.close()
    current = undefined
    await Promise.all(extra.splice(0).map((s) => s.close()))
  })

  return t
}

export function storeSuite(name: string, open: () => Promise<AuthorityStore>): void {
  describe(name, () => {
    const t = storeUnderTest(open)
    const { addDevice, createAccount, openMigrated } = t

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(t.store.ping()).resolves.toBeUndefined()
      })

      it('fails ping once closed', async () => {
        await t.store.close()
        await expect(t.store.ping()).rejects.toThrow()
      })

      it('treats close as idempotent', async () => {
        await t.store.close()
        await expect(t.store.close()).resolves.toBeUndefined()
      })

      it('runs migrate again harmlessly', async () => {
        await t.store.migrate()
        await t.store.migrate()
        const account = await createAccount()
        await t.store.migrate()
        expect(await t.store.getAccount(account.username)).toEqual(account)
      })

      it('keeps data across close and reopen', async () => {
        const now = later()
        const account = await createAccount({ organisation: 'Acme', policy: policy() })
        const device = await addDevice(account.username, now)
        const serial = await t.store.recordCertificate({
          deviceId: device.deviceId,
          notBefore: now,
          notAfter: now + 100,
          issuedAt: now,
        })
        const revocation = await t.store.revokeDevice(device.deviceId, 'owner', now + 1)
        const nonce = bytes()
        await t.store.putChallenge(nonce, now + 1000)
        await t.store.close()

        t.store = await open()
        await t.store.migrate()
        expect(await t.store.getAccount(account.username)).toEqual(account)
        expect(await t.store.getDevice(device.deviceId)).toEqual({ ...device, revokedAt: now + 1 })
        expect(await t.store.listRevocations(now)).toContainEqual(revocation)
        expect(await t.store.takeChallenge(nonce, now + 10)).toBe(true)
        const next = await t.store.recordCertificate({
          deviceId: device.deviceId,
          notBefore: now,
          notAfter: now + 100,
          issuedAt: now,
        })
        expect(next).toBeGreaterThan(serial)
      })
    })

    describe('accounts', () => {
      it('stores and reads an account with policy and organisation', async () => {
        const account = await createAccount({ policy: policy(), organisation: 'Example Org' })
        expect(await t.store.getAccount(account.username)).toEqual(account)
      })

      it('stores an account without policy or organisation', async () => {
        const account = await createAccount()
        const read = await t.store.getAccount(account.username)
        expect(read).toEqual(account)
        expect(read?.policy).toBeNull()
        expect(read?.organisation).toBeNull()
      })

      it('returns undefined for an unknown username', async () => {
        expect(await t.store.getAccount(unique('nobody'))).toBeUndefined()
      })

      it('rejects a taken username and keeps the first account', async () => {
        const account = await createAccount()
        const again = accountRecord({ username: account.username, passwordHash: 'other' })
        await expect(t.store.createAccount(again)).rejects.toBeInstanceOf(UsernameTakenError)
        await expect(t.store.createAccount(again)).rejects.toMatchObject({ name: 'UsernameTakenError' })
        expect(await t.store.getAccount(account.username)).toEqual(account)
      })

      it('counts accounts', async () => {
        const before = await t.store.countAccounts()
        const account = await createAccount()
        await createAccount()
        await expect(t.store.createAccount(account)).rejects.toThrow(UsernameTakenError)
        expect(await t.store.countAccounts()).toBe(before + 2)
      })
    })

    describe('challenges', () => {
      it('takes a challenge once', async () => {
        const now = later()
        const nonce = bytes()
        await t.store.putChallenge(nonce, now + 1000)
        expect(await t.store.takeChallenge(nonce, now)).toBe(true)
        expect(await t.store.takeChallenge(nonce, now)).toBe(false)
      })

      it('refuses an unknown nonce', async () => {
        expect(await t.store.takeChallenge(bytes(), later())).toBe(false)
      })

      it('refuses an expired challenge, expiry being exclusive', async () => {
        const now = later()
        const nonce = bytes()
        await t.store.putChallenge(nonce, now + 1000)
        expect(await t.store.takeChallenge(nonce, now + 1000)).toBe(false)
        expect(await t.store.takeChallenge(nonce, now + 5000)).toBe(false)
        // A refused take does not consume it: the nonce was still valid a moment earlier.
        expect(await t.store.takeChallenge(nonce, now + 999)).toBe(true)
      })

      it('matches nonces by their bytes, not their buffer', async () => {
        const now = later()
        const backing = bytes(64)
        const nonce = backing.subarray(16, 48)
        await t.store.putChallenge(nonce, now + 1000)
        expect(await t.store.takeChallenge(backing.slice(16, 48), now)).toBe(true)
      })

      it('purges expired challenges and counts them', async () => {
        const now = later()
        await t.store.purgeChallenges(now) // earlier tests' leftovers all expired before `now`
        const [a, b, c] = [bytes(), bytes(), bytes()]
        await t.store.putChallenge(a, now + 10)
        await t.store.putChallenge(b, now + 20)
        await t.store.putChallenge(c, now + 30)
        expect(await t.store.purgeChallenges(now + 20)).toBe(2)
        expect(await t.store.purgeChallenges(now + 20)).toBe(0)
        expect(await t.store.takeChallenge(a, now)).toBe(false)
        expect(await t.store.takeChallenge(c, now + 20)).toBe(true)
      })

      it('lets exactly one of two stores take the same challenge', async () => {
        const other = await openMigrated()
        const now = later()
        const nonces = Array.from({ length: 20 }, () => bytes())
        for (const nonce of nonces) await t.store.putChallenge(nonce, now + 1000)
        const results = await Promise.all(
          nonces.map((nonce) =>
            Promise.all([t.store.takeChallenge(nonce, now), other.takeChallenge(nonce, now)]),
          ),
        )
        for (const pair of results) expect(pair.filter(Boolean)).toHaveLength(1)
      })
    })

    describe('devices', () => {
      it('creates a device', async () => {
        const now = later()
        const account = await createAccount()
        const publicKey = bytes()
        const deviceId = unique('12D3Koo')
        const device = await t.store.upsertDevice({
          deviceId,
          username: account.username,
          publicKey,
          name: 'phone',
          now,
        })
        expect(device).toEqual({
          deviceId,
          username: account.username,
          publicKey,
          name: 'phone',
          createdAt: now,
          lastSignInAt: now,
          revokedAt: null,
        })
        expect(device.publicKey).toBeInstanceOf(Uint8Array)
        expect(Buffer.isBuffer(device.publicKey)).toBe(false)
        expect(await t.store.getDevice(deviceId)).toEqual(device)
      })

      it('refreshes name and last sign-in, keeping the rest', async () => {
        const now = later()
        const first = await addDevice(undefined, now)
        const refreshed = await t.store.upsertDevice({
          deviceId: first.deviceId,
          username: first.username,
          publicKey: first.publicKey,
          name: 'renamed',
          now: now + 500,
        })
        expect(refreshed).toEqual({ ...first, name: 'renamed', lastSignInAt: now + 500 })
        expect(await t.store.getDevice(first.deviceId)).toEqual(refreshed)
      })

      it('refuses a device registered to another account', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const intruder = await createAccount()
        const attempt = t.store.upsertDevice({
          deviceId: device.deviceId,
          username: intruder.username,
          publicKey: device.publicKey,
          name: 'stolen',
          now: now + 1,
        })
        await expect(attempt).rejects.toBeInstanceOf(DeviceOwnedElsewhereError)
        expect(await t.store.getDevice(device.deviceId)).toEqual(device)
        expect(await t.store.listDevices(intruder.username)).toEqual([])
      })

      it('lists an account’s devices oldest first', async () => {
        const now = later()
        const account = await createAccount()
        const second = await addDevice(account.username, now + 2)
        const first = await addDevice(account.username, now + 1)
        await addDevice(undefined, now + 3)
        expect(await t.store.listDevices(account.username)).toEqual([first, second])
      })

      it('returns nothing for unknown devices and accounts', async () => {
        expect(await t.store.getDevice(unique('12D3Koo'))).toBeUndefined()
        expect(await t.store.listDevices(unique('nobody'))).toEqual([])
      })
    })

    describe('certificates', () => {
      it('returns unique, increasing bigint serials', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const cert = { deviceId: device.deviceId, notBefore: now, notAfter: now + 60_000, issuedAt: now }
        const serials: bigint[] = []
        for (let i = 0; i < 5; i++) serials.push(await t.store.recordCertificate(cert))
        for (const serial of serials) expect(typeof serial).toBe('bigint')
        for (let i = 1; i < serials.length; i++) expect(serials[i]).toBeGreaterThan(serials[i - 1] ?? 0n)
      })

      it('keeps serials unique across two stores recording at once', async () => {
        const other = await openMigrated()
        const now = later()
        const device = await addDevice(undefined, now)
        const cert = { deviceId: device.deviceId, notBefore: now, notAfter: now + 60_000, issuedAt: now }
        const serials = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? t.store : other).recordCertificate(cert)),
        )
        expect(new Set(serials).size).toBe(serials.length)
      })
    })
  })
}

function policy(): AccountRecord['policy'] {
  return { maySupernode: true, mayRelay: false, maySendFiles: true }
}
