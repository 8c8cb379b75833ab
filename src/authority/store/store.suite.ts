/**
 * The one suite every AuthorityStore passes. `open` returns a new store on the
 * same underlying database each call (that is how reopening and two racing
 * authority processes are tested); the suite runs migrate() itself.
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
function later(): number {
  clock += 1_000_000
  return clock
}

function unique(prefix: string): string {
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

export function storeSuite(name: string, open: () => Promise<AuthorityStore>): void {
  describe(name, () => {
    let store: AuthorityStore
    /** Other stores a test opens; closed after it even when it fails. */
    const extra: AuthorityStore[] = []

    async function openMigrated(): Promise<AuthorityStore> {
      const opened = await open()
      extra.push(opened)
      await opened.migrate()
      return opened
    }

    async function addDevice(username?: string, now = later()): Promise<DeviceRecord> {
      const owner = username ?? (await createAccount()).username
      return store.upsertDevice({
        deviceId: unique('12D3Koo'),
        username: owner,
        publicKey: bytes(),
        name: 'laptop',
        now,
      })
    }

    async function createAccount(overrides: Partial<AccountRecord> = {}): Promise<AccountRecord> {
      const account = accountRecord(overrides)
      await store.createAccount(account)
      return account
    }

    beforeEach(async () => {
      store = await open()
      await store.migrate()
    })

    afterEach(async () => {
      await store.close()
      await Promise.all(extra.splice(0).map((s) => s.close()))
    })

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined()
      })

      it('fails ping once closed', async () => {
        await store.close()
        await expect(store.ping()).rejects.toThrow()
      })

      it('treats close as idempotent', async () => {
        await store.close()
        await expect(store.close()).resolves.toBeUndefined()
      })

      it('runs migrate again harmlessly', async () => {
        await store.migrate()
        await store.migrate()
        const account = await createAccount()
        await store.migrate()
        expect(await store.getAccount(account.username)).toEqual(account)
      })

      it('keeps data across close and reopen', async () => {
        const now = later()
        const account = await createAccount({ organisation: 'Acme', policy: policy() })
        const device = await addDevice(account.username, now)
        const serial = await store.recordCertificate({
          deviceId: device.deviceId,
          notBefore: now,
          notAfter: now + 100,
          issuedAt: now,
        })
        const revocation = await store.revokeDevice(device.deviceId, 'owner', now + 1)
        const nonce = bytes()
        await store.putChallenge(nonce, now + 1000)
        await store.close()

        store = await open()
        await store.migrate()
        expect(await store.getAccount(account.username)).toEqual(account)
        expect(await store.getDevice(device.deviceId)).toEqual({ ...device, revokedAt: now + 1 })
        expect(await store.listRevocations(now)).toContainEqual(revocation)
        expect(await store.takeChallenge(nonce, now + 10)).toBe(true)
        const next = await store.recordCertificate({
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
        expect(await store.getAccount(account.username)).toEqual(account)
      })

      it('stores an account without policy or organisation', async () => {
        const account = await createAccount()
        const read = await store.getAccount(account.username)
        expect(read).toEqual(account)
        expect(read?.policy).toBeNull()
        expect(read?.organisation).toBeNull()
      })

      it('returns undefined for an unknown username', async () => {
        expect(await store.getAccount(unique('nobody'))).toBeUndefined()
      })

      it('rejects a taken username and keeps the first account', async () => {
        const account = await createAccount()
        const again = accountRecord({ username: account.username, passwordHash: 'other' })
        await expect(store.createAccount(again)).rejects.toBeInstanceOf(UsernameTakenError)
        await expect(store.createAccount(again)).rejects.toMatchObject({ name: 'UsernameTakenError' })
        expect(await store.getAccount(account.username)).toEqual(account)
      })

      it('counts accounts', async () => {
        const before = await store.countAccounts()
        const account = await createAccount()
        await createAccount()
        await expect(store.createAccount(account)).rejects.toThrow(UsernameTakenError)
        expect(await store.countAccounts()).toBe(before + 2)
      })
    })

    describe('challenges', () => {
      it('takes a challenge once', async () => {
        const now = later()
        const nonce = bytes()
        await store.putChallenge(nonce, now + 1000)
        expect(await store.takeChallenge(nonce, now)).toBe(true)
        expect(await store.takeChallenge(nonce, now)).toBe(false)
      })

      it('refuses an unknown nonce', async () => {
        expect(await store.takeChallenge(bytes(), later())).toBe(false)
      })

      it('refuses an expired challenge, expiry being exclusive', async () => {
        const now = later()
        const nonce = bytes()
        await store.putChallenge(nonce, now + 1000)
        expect(await store.takeChallenge(nonce, now + 1000)).toBe(false)
        expect(await store.takeChallenge(nonce, now + 5000)).toBe(false)
        // A refused take does not consume it: the nonce was still valid a moment earlier.
        expect(await store.takeChallenge(nonce, now + 999)).toBe(true)
      })

      it('matches nonces by their bytes, not their buffer', async () => {
        const now = later()
        const backing = bytes(64)
        const nonce = backing.subarray(16, 48)
        await store.putChallenge(nonce, now + 1000)
        expect(await store.takeChallenge(backing.slice(16, 48), now)).toBe(true)
      })

      it('purges expired challenges and counts them', async () => {
        const now = later()
        await store.purgeChallenges(now) // earlier tests' leftovers all expired before `now`
        const [a, b, c] = [bytes(), bytes(), bytes()]
        await store.putChallenge(a, now + 10)
        await store.putChallenge(b, now + 20)
        await store.putChallenge(c, now + 30)
        expect(await store.purgeChallenges(now + 20)).toBe(2)
        expect(await store.purgeChallenges(now + 20)).toBe(0)
        expect(await store.takeChallenge(a, now)).toBe(false)
        expect(await store.takeChallenge(c, now + 20)).toBe(true)
      })

      it('lets exactly one of two stores take the same challenge', async () => {
        const other = await openMigrated()
        const now = later()
        const nonces = Array.from({ length: 20 }, () => bytes())
        for (const nonce of nonces) await store.putChallenge(nonce, now + 1000)
        const results = await Promise.all(
          nonces.map((nonce) =>
            Promise.all([store.takeChallenge(nonce, now), other.takeChallenge(nonce, now)]),
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
        const device = await store.upsertDevice({
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
        expect(await store.getDevice(deviceId)).toEqual(device)
      })

      it('refreshes name and last sign-in, keeping the rest', async () => {
        const now = later()
        const first = await addDevice(undefined, now)
        const refreshed = await store.upsertDevice({
          deviceId: first.deviceId,
          username: first.username,
          publicKey: first.publicKey,
          name: 'renamed',
          now: now + 500,
        })
        expect(refreshed).toEqual({ ...first, name: 'renamed', lastSignInAt: now + 500 })
        expect(await store.getDevice(first.deviceId)).toEqual(refreshed)
      })

      it('refuses a device registered to another account', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const intruder = await createAccount()
        const attempt = store.upsertDevice({
          deviceId: device.deviceId,
          username: intruder.username,
          publicKey: device.publicKey,
          name: 'stolen',
          now: now + 1,
        })
        await expect(attempt).rejects.toBeInstanceOf(DeviceOwnedElsewhereError)
        expect(await store.getDevice(device.deviceId)).toEqual(device)
        expect(await store.listDevices(intruder.username)).toEqual([])
      })

      it('lists an account’s devices oldest first', async () => {
        const now = later()
        const account = await createAccount()
        const second = await addDevice(account.username, now + 2)
        const first = await addDevice(account.username, now + 1)
        await addDevice(undefined, now + 3)
        expect(await store.listDevices(account.username)).toEqual([first, second])
      })

      it('returns nothing for unknown devices and accounts', async () => {
        expect(await store.getDevice(unique('12D3Koo'))).toBeUndefined()
        expect(await store.listDevices(unique('nobody'))).toEqual([])
      })
    })

    describe('certificates', () => {
      it('returns unique, increasing bigint serials', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const cert = { deviceId: device.deviceId, notBefore: now, notAfter: now + 60_000, issuedAt: now }
        const serials: bigint[] = []
        for (let i = 0; i < 5; i++) serials.push(await store.recordCertificate(cert))
        for (const serial of serials) expect(typeof serial).toBe('bigint')
        for (let i = 1; i < serials.length; i++) expect(serials[i]).toBeGreaterThan(serials[i - 1] ?? 0n)
      })

      it('keeps serials unique across two stores recording at once', async () => {
        const other = await openMigrated()
        const now = later()
        const device = await addDevice(undefined, now)
        const cert = { deviceId: device.deviceId, notBefore: now, notAfter: now + 60_000, issuedAt: now }
        const serials = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).recordCertificate(cert)),
        )
        expect(new Set(serials).size).toBe(serials.length)
      })
    })

    describe('revocations', () => {
      it('revokes a device and marks it revoked', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const revocation = await store.revokeDevice(device.deviceId, 'owner', now + 5)
        expect(revocation).toEqual({
          seq: expect.any(Number) as number,
          deviceId: device.deviceId,
          username: device.username,
          revokedAt: now + 5,
          revokedBy: 'owner',
        })
        expect(revocation?.seq).toBeGreaterThan(0)
        expect((await store.getDevice(device.deviceId))?.revokedAt).toBe(now + 5)
        expect(await store.revocationSequence()).toBe(revocation?.seq)
      })

      it('returns the existing record when revoking again', async () => {
        const now = later()
        const device = await addDevice(undefined, now)
        const first = await store.revokeDevice(device.deviceId, 'owner', now + 5)
        const sequence = await store.revocationSequence()
        expect(await store.revokeDevice(device.deviceId, 'admin', now + 9)).toEqual(first)
        expect(await store.revocationSequence()).toBe(sequence)
        expect((await store.getDevice(device.deviceId))?.revokedAt).toBe(now + 5)
      })

      it('revokes once when two stores revoke at the same time', async () => {
        const other = await openMigrated()
        const now = later()
        const device = await addDevice(undefined, now)
        const [a, b] = await Promise.all([
          store.revokeDevice(device.deviceId, 'owner', now + 1),
          other.revokeDevice(device.deviceId, 'admin', now + 2),
        ])
        expect(a).toBeDefined()
        expect(b).toEqual(a)
        expect((await store.listRevocations(now)).filter((r) => r.deviceId === device.deviceId)).toHaveLength(
          1,
        )
      })

      it('returns undefined for an unknown device', async () => {
        const sequence = await store.revocationSequence()
        expect(await store.revokeDevice(unique('12D3Koo'), 'admin', later())).toBeUndefined()
        expect(await store.revocationSequence()).toBe(sequence)
      })

      it('lists revocations since a time, ordered by seq', async () => {
        const now = later()
        const [a, b, c] = [await addDevice(), await addDevice(), await addDevice()] as const
        // Revoked out of time order, so ordering by seq and ordering by time differ.
        const early = await store.revokeDevice(a.deviceId, 'owner', now + 10)
        const last = await store.revokeDevice(b.deviceId, 'admin', now + 30)
        const middle = await store.revokeDevice(c.deviceId, 'owner', now + 20)
        const listed = await store.listRevocations(now + 20)
        expect(listed).toEqual([last, middle])
        expect(listed).not.toContainEqual(early)
        expect(await store.listRevocations(now + 31)).toEqual([])
      })

      it('orders every listing by seq and reports the highest seq as the sequence', async () => {
        const all = await store.listRevocations(0)
        const seqs = all.map((r) => r.seq)
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
        expect(new Set(seqs).size).toBe(seqs.length)
        // 0 on an empty database.
        expect(await store.revocationSequence()).toBe(seqs.at(-1) ?? 0)
      })
    })
  })
}

function policy(): AccountRecord['policy'] {
  return { maySupernode: true, mayRelay: false, maySendFiles: true }
}
