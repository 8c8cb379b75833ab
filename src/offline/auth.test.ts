/**
 * The rules a replica checks before it lets anyone read, delete or store a
 * user's offline items (issue 10, H3): access grants, deposit signatures and
 * Store admission, each rule on its own, without a network.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf } from '../crypto/keys.js'
import { leafHash, merkleTree } from '../crypto/merkle.js'
import { BatchRoot, BatchSigned, decodeBatchSigned } from '../wire/batch.js'
import { DEPOSIT_BATCH } from '../wire/offline-signed.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { ACCESS_MAX_AHEAD_MS, verifyAccess, type AccessWanted } from './access.js'
import { admitStore, type AdmitContext } from './admit.js'
import { AccessKind, grantOf, OfflineKeys, type TestDevice } from './auth.fixtures.js'
import { signDeposit, signDepositBatch, verifyDeposit } from './deposit.js'
import { OfflineAuthError } from './errors.js'
import type { OfflineItem } from './types.js'

const NOW = Date.now()
const DAY = 86_400_000
const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

let keys: OfflineKeys
let bob: TestDevice
let bobLaptop: TestDevice
let alice: TestDevice
let old: TestDevice

beforeAll(async () => {
  keys = await OfflineKeys.create()
  bob = await keys.device('bob')
  bobLaptop = await keys.device('bob')
  alice = await keys.device('alice')
  // A certificate that was good three weeks ago, for a week.
  old = await keys.device('alice', { from: NOW - 21 * DAY, days: 7 })
})

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (err) {
    if (err instanceof OfflineAuthError) return err.code
    throw err
  }
}

describe('access grants: only the recipient device reads or deletes its copies', () => {
  const take = (): AccessWanted => ({
    kind: AccessKind.Take,
    recipient: 'bob',
    deviceId: bob.deviceId,
    ids: [],
  })
  const check = (grant: Uint8Array, wanted: AccessWanted, now = NOW) =>
    codeOf(() => verifyAccess(grant, wanted, keys.verifyOptions(now)))

  it('lets the device take its own copies with its take grant, and drop exactly the ids it signed', () => {
    expect(check(grantOf(bob, AccessKind.Take), take())).toBeUndefined()
    const ids = [rnd(16), rnd(16)]
    const drop = { kind: AccessKind.Drop, recipient: 'bob', deviceId: bob.deviceId, ids } as const
    expect(check(grantOf(bob, AccessKind.Drop, ids), drop)).toBeUndefined()
    expect(check(grantOf(bob, AccessKind.Drop, ids), { ...drop, ids: [ids[1]!] })).toBeUndefined()
  })

  it('refuses no grant with access_required', () => {
    expect(check(new Uint8Array(0), take())).toBe(ErrorCode.AccessRequired)
  })

  it('refuses every grant that does not cover the request with access_denied', () => {
    const ids = [rnd(16)]
    const drop = { kind: AccessKind.Drop, recipient: 'bob', deviceId: bob.deviceId, ids } as const
    const cases: Array<[string, Uint8Array, AccessWanted, number?]> = [
      ['another user’s grant', grantOf(alice, AccessKind.Take), take()],
      ['another device of the same user', grantOf(bobLaptop, AccessKind.Take), take()],
      ['a take grant used to drop', grantOf(bob, AccessKind.Take), drop],
      ['a drop grant used to take', grantOf(bob, AccessKind.Drop, ids), take()],
      ['a drop of an id not signed', grantOf(bob, AccessKind.Drop, ids), { ...drop, ids: [rnd(16)] }],
      ['an expired grant', grantOf(bob, AccessKind.Take, [], NOW - 1), take()],
      ['a grant living too long', grantOf(bob, AccessKind.Take, [], NOW + ACCESS_MAX_AHEAD_MS + 1), take()],
      ['a grant used after it expired', grantOf(bob, AccessKind.Take, [], NOW + 1000), take(), NOW + 1000],
      [
        'a grant for the right device naming another recipient',
        grantOf(bob, AccessKind.Take),
        { ...take(), recipient: 'alice' },
      ],
    ]
    for (const [what, grant, wanted, now] of cases)
      expect(check(grant, wanted, now), what).toBe(ErrorCode.AccessDenied)
  })

  it('refuses altered grants, grants from another network and revoked devices', async () => {
    const grant = grantOf(bob, AccessKind.Take)
    const altered = new Uint8Array(grant)
    altered[altered.length - 70] = altered[altered.length - 70]! ^ 1
    expect(check(altered, take())).toBe(ErrorCode.AccessDenied)
    const foreign = await keys.device('bob', { network: signerOf(await generateKey()) })
    expect(check(grantOf(foreign, AccessKind.Take), { ...take(), deviceId: foreign.deviceId })).toBe(
      ErrorCode.AccessDenied,
    )
    keys.revoked.add(bob.deviceId)
    try {
      expect(check(grant, take())).toBe(ErrorCode.AccessDenied)
    } finally {
      keys.revoked.delete(bob.deviceId)
    }
  })
})

function item(over: Partial<OfflineItem> = {}): OfflineItem {
  return {
    id: rnd(16),
    recipient: 'bob',
    sender: '',
    storedAt: NOW,
    nonce: rnd(24),
    ciphertext: rnd(300),
    copies: [bob, bobLaptop].map((d) => ({ deviceId: d.deviceId, ephemeral: rnd(32), wrapped: rnd(72) })),
    ...over,
  }
}

const signed = (i: OfflineItem, by: TestDevice = alice): OfflineItem => ({
  ...i,
  deposit: signDeposit(i, by.certificate, by.signer),
})

describe('deposit signatures: an item is some device’s, unchanged', () => {
  const check = (i: OfflineItem, at = NOW) =>
    codeOf(() => verifyDeposit(i, i.deposit!, keys.verifyOptions(at)))

  it('names the depositing device, and still verifies with some copies dropped', () => {
    const i = signed(item())
    expect(verifyDeposit(i, i.deposit!, keys.verifyOptions(NOW))).toEqual({
      username: 'alice',
      deviceId: alice.deviceId,
    })
    expect(check({ ...i, copies: [i.copies[1]!] })).toBeUndefined()
  })

  it('refuses any change to what was signed with deposit_invalid', () => {
    const i = signed(item())
    const flipped = new Uint8Array(i.ciphertext)
    flipped[0] = flipped[0]! ^ 1
    const cases: Array<[string, OfflineItem]> = [
      ['ciphertext', { ...i, ciphertext: flipped }],
      ['nonce', { ...i, nonce: rnd(24) }],
      ['id', { ...i, id: rnd(16) }],
      ['recipient', { ...i, recipient: 'carol' }],
      [
        'an added copy',
        { ...i, copies: [...i.copies, { deviceId: 'x', ephemeral: rnd(32), wrapped: rnd(72) }] },
      ],
      ['a copy’s wrapped key', { ...i, copies: [{ ...i.copies[0]!, wrapped: rnd(72) }] }],
      [
        'a copy moved to another device',
        { ...i, copies: [{ ...i.copies[0]!, deviceId: bobLaptop.deviceId }] },
      ],
      ['another item’s signature', { ...i, deposit: signed(item()).deposit }],
    ]
    for (const [what, bad] of cases) expect(check(bad), what).toBe(ErrorCode.DepositInvalid)
  })

  it('checks the certificate as it was when the item was stored, and revocation now', () => {
    const i = signed(item({ storedAt: NOW - 18 * DAY }), old)
    expect(check(i, NOW - 18 * DAY)).toBeUndefined()
    expect(check(i, NOW)).toBe(ErrorCode.DepositInvalid)
    keys.revoked.add(old.deviceId)
    try {
      expect(check(i, NOW - 18 * DAY)).toBe(ErrorCode.DepositInvalid)
    } finally {
      keys.revoked.delete(old.deviceId)
    }
  })
})

describe('store admission: a replica believes no supernode about an item', () => {
  const SIGNED_SINCE = NOW - 10 * DAY
  const ctx = (over: Partial<AdmitContext> = {}): AdmitContext => ({
    now: NOW,
    verifyOptions: keys.verifyOptions,
    signedSince: SIGNED_SINCE,
    replicates: () => true,
    pusherReplicates: () => false,
    isHeld: () => false,
    ...over,
  })

  it('takes a signed item with the sender from its certificate, whatever the store said, and storedAt clamped', () => {
    const i = signed({ ...item(), sender: 'carol', storedAt: NOW + DAY })
    const out = admitStore([i], ctx())
    expect(out.refused).toBeUndefined()
    expect(out.items).toMatchObject([{ sender: 'alice', storedAt: NOW }])
  })

  it('refuses recipients it does not replicate with not_replica', () => {
    const out = admitStore([signed(item())], ctx({ replicates: () => false }))
    expect([out.items.length, out.refused?.code]).toEqual([0, ErrorCode.NotReplica])
  })

  it('refuses an unsigned item with deposit_unsigned unless held, or from before signed deposits by a holder', () => {
    const fresh = item()
    expect(admitStore([fresh], ctx()).refused?.code).toBe(ErrorCode.DepositUnsigned)
    // Backdated by a supernode that is not among the recipient's replicas: still refused.
    const backdated = item({ storedAt: SIGNED_SINCE - 1 })
    expect(admitStore([backdated], ctx()).refused?.code).toBe(ErrorCode.DepositUnsigned)
    // After the window, not even a holder can bring one: storedAt is not before signedSince.
    expect(admitStore([fresh], ctx({ pusherReplicates: () => true })).refused?.code).toBe(
      ErrorCode.DepositUnsigned,
    )
    const legacy = admitStore([backdated], ctx({ pusherReplicates: () => true }))
    expect([legacy.refused, legacy.items[0]?.sender]).toEqual([undefined, ''])
    const held = admitStore([fresh], ctx({ isHeld: () => true }))
    expect([held.refused, held.items.length]).toEqual([undefined, 1])
  })

  it('stores the good items of a batch and names the first refusal with the count', () => {
    const good = signed(item())
    const out = admitStore([item(), good, { ...good, id: rnd(16) }], ctx())
    expect(out.items.map((i) => i.id)).toEqual([good.id])
    expect(out.refused).toMatchObject({ code: ErrorCode.DepositUnsigned, count: 2 })
  })
})

describe('batch-signed deposits (issue 12 §2): one signature for a request, each item still verifiable alone', () => {
  const check = (i: OfflineItem, deposit = i.deposit!) =>
    codeOf(() => verifyDeposit(i, deposit, keys.verifyOptions(NOW)))
  const batchOf = (n: number, by: TestDevice = alice): OfflineItem[] => {
    const items = Array.from({ length: n }, () => item())
    const deposits = signDepositBatch(items, by.certificate, by.signer)
    return items.map((i, k) => ({ ...i, deposit: deposits[k] }))
  }

  it('verifies every item of a batch on its own, also with some copies dropped, naming the depositor', () => {
    const batch = batchOf(5)
    for (const i of batch)
      expect(verifyDeposit(i, i.deposit!, keys.verifyOptions(NOW))).toEqual({
        username: 'alice',
        deviceId: alice.deviceId,
      })
    expect(check({ ...batch[2]!, copies: [batch[2]!.copies[0]!] })).toBeUndefined()
  })

  it('refuses a changed item, another item’s proof, a changed proof and a root signed by another key with deposit_invalid', () => {
    const [a, b] = batchOf(3) as [OfflineItem, OfflineItem]
    const flipped = new Uint8Array(a.ciphertext)
    flipped[0] = flipped[0]! ^ 1
    const proof = decodeBatchSigned(a.deposit!, DEPOSIT_BATCH)
    const path = proof.path.map((p) => new Uint8Array(p))
    path[0]![5] = path[0]![5]! ^ 1
    const withPath = BatchSigned.encode({
      body: plain(proof.body),
      root: plain(proof.root),
      index: proof.index,
      path: path.map(plain),
    })
    const [foreign] = signDepositBatch([a], alice.certificate, bob.signer)
    const cases: Array<[string, OfflineItem, Uint8Array?]> = [
      ['ciphertext', { ...a, ciphertext: flipped }],
      [
        'an added copy',
        { ...a, copies: [...a.copies, { deviceId: 'x', ephemeral: rnd(32), wrapped: rnd(72) }] },
      ],
      ['another item’s proof', a, b.deposit],
      ['a changed path', a, withPath],
      ['a root signed by another device', a, foreign],
    ]
    for (const [what, bad, deposit] of cases) expect(check(bad, deposit), what).toBe(ErrorCode.DepositInvalid)
  })

  it('refuses a batch over the cap of 64 items with deposit_invalid', () => {
    const items = Array.from({ length: 65 }, () => item())
    expect(() => signDepositBatch(items, alice.certificate, alice.signer)).toThrow(RangeError)
    const bodies = items.map(
      (i) =>
        decodeBatchSigned(signDepositBatch([i], alice.certificate, alice.signer)[0]!, DEPOSIT_BATCH).body,
    )
    const { root, proofs } = merkleTree(bodies.map(leafHash))
    const signedRoot = seal(
      PayloadType.OfflineDepositBatch,
      BatchRoot.encode({ root: plain(root), count: 65 }),
      alice.signer,
    )
    const over = BatchSigned.encode({
      body: plain(bodies[64]!),
      root: plain(signedRoot),
      index: 64,
      path: proofs[64]!.map(plain),
    })
    expect(check(items[64]!, over)).toBe(ErrorCode.DepositInvalid)
  })
})
