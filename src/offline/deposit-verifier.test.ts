/**
 * The deposits of one request verified together (issue 12 §2): once one item
 * of a batch has verified, its batch-mates are checked by their leaf and
 * path only. That shortcut must accept exactly what each item verified alone
 * accepts: these tests verify good items of a batch first, then a bad one.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { BatchSigned, decodeBatchSigned } from '../wire/batch.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { DEPOSIT_BATCH } from '../wire/offline-signed.js'
import { OfflineKeys, type TestDevice } from './auth.fixtures.js'
import { signDepositBatch, verifyDeposit } from './deposit.js'
import { DepositVerifier } from './deposit-verifier.js'
import { OfflineAuthError } from './errors.js'
import type { OfflineItem } from './types.js'

const NOW = Date.now()
const DAY = 86_400_000
const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

let keys: OfflineKeys
let alice: TestDevice
let old: TestDevice
let bob: TestDevice

beforeAll(async () => {
  keys = await OfflineKeys.create()
  alice = await keys.device('alice')
  bob = await keys.device('bob')
  // Good from 21 to 14 days ago.
  old = await keys.device('alice', { from: NOW - 21 * DAY, days: 7 })
})

function item(recipient = 'bob'): OfflineItem {
  return {
    id: rnd(16),
    recipient,
    sender: '',
    storedAt: NOW,
    nonce: rnd(24),
    ciphertext: rnd(300),
    copies: [0, 1].map(() => ({ deviceId: `d${rnd(4).join('')}`, ephemeral: rnd(32), wrapped: rnd(72) })),
  }
}

function batchOf(n: number, by: TestDevice = alice): OfflineItem[] {
  const items = Array.from({ length: n }, () => item(n % 2 === 0 ? 'bob' : 'carol'))
  const deposits = signDepositBatch(items, by.certificate, by.signer)
  return items.map((i, k) => ({ ...i, deposit: deposits[k] }))
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (err) {
    if (err instanceof OfflineAuthError) return err.code
    throw err
  }
}

describe('DepositVerifier: a request’s batch-signed deposits, verified together', () => {
  it('names the depositor of every item, as each verified alone, also for items that lost copies', () => {
    const batch = batchOf(8)
    batch[3] = { ...batch[3]!, copies: [batch[3]!.copies[1]!] }
    const verifier = new DepositVerifier(keys.verifyOptions)
    for (const i of batch) {
      const alone = verifyDeposit(i, i.deposit!, keys.verifyOptions(NOW))
      expect(verifier.verify(i, i.deposit!, NOW)).toEqual(alone)
      expect(alone).toEqual({ username: 'alice', deviceId: alice.deviceId })
    }
  })

  it('refuses with deposit_invalid a changed item after its batch-mates verified', () => {
    const [a, b, c] = batchOf(6) as [OfflineItem, OfflineItem, OfflineItem]
    const flipped = new Uint8Array(c.ciphertext)
    flipped[0] = flipped[0]! ^ 1
    const proof = decodeBatchSigned(c.deposit!, DEPOSIT_BATCH)
    const path = proof.path.map((p) => new Uint8Array(p))
    path[1]![3] = path[1]![3]! ^ 1
    const withPath = BatchSigned.encode({
      body: plain(proof.body),
      root: plain(proof.root),
      index: proof.index,
      path: path.map(plain),
    })
    const withIndex = BatchSigned.encode({
      body: plain(proof.body),
      root: plain(proof.root),
      index: proof.index + 1,
      path: proof.path.map(plain),
    })
    const cases: Array<[string, OfflineItem, Uint8Array?]> = [
      ['ciphertext', { ...c, ciphertext: flipped }],
      ['nonce', { ...c, nonce: rnd(24) }],
      ['id', { ...c, id: rnd(16) }],
      ['recipient', { ...c, recipient: 'mallory' }],
      ['a copy replaced', { ...c, copies: [c.copies[0]!, { ...c.copies[1]!, wrapped: rnd(72) }] }],
      [
        'an added copy',
        { ...c, copies: [...c.copies, { deviceId: 'x', ephemeral: rnd(32), wrapped: rnd(72) }] },
      ],
      ['another item’s proof', c, a.deposit],
      ['a changed path', c, withPath],
      ['another index', c, withIndex],
    ]
    for (const [what, bad, deposit] of cases) {
      const verifier = new DepositVerifier(keys.verifyOptions)
      verifier.verify(a, a.deposit!, NOW)
      verifier.verify(b, b.deposit!, NOW)
      expect(
        codeOf(() => verifier.verify(bad, deposit ?? bad.deposit!, NOW)),
        what,
      ).toBe(ErrorCode.DepositInvalid)
    }
  })

  it('refuses a batch-mate whose deposit carries another item’s body under its own path', () => {
    // What the shortcut would have stored: a deposit no other replica verifies, so repair could not move it.
    const [a, b] = batchOf(4) as [OfflineItem, OfflineItem]
    const mine = decodeBatchSigned(b.deposit!, DEPOSIT_BATCH)
    const other = decodeBatchSigned(a.deposit!, DEPOSIT_BATCH)
    const swapped = BatchSigned.encode({
      ...mine,
      body: plain(other.body),
      root: plain(mine.root),
      path: mine.path.map(plain),
    })
    const verifier = new DepositVerifier(keys.verifyOptions)
    verifier.verify(a, a.deposit!, NOW)
    expect(codeOf(() => verifier.verify(b, swapped, NOW))).toBe(ErrorCode.DepositInvalid)
    expect(codeOf(() => verifyDeposit(b, swapped, keys.verifyOptions(NOW)))).toBe(ErrorCode.DepositInvalid)
  })

  it('checks the certificate at each item’s time: a batch-mate stored after it expired is refused', () => {
    const [a, b] = batchOf(2, old) as [OfflineItem, OfflineItem]
    const verifier = new DepositVerifier(keys.verifyOptions)
    expect(verifier.verify(a, a.deposit!, NOW - 20 * DAY)).toEqual({
      username: 'alice',
      deviceId: old.deviceId,
    })
    expect(codeOf(() => verifier.verify(b, b.deposit!, NOW))).toBe(ErrorCode.DepositInvalid)
    expect(verifier.verify(b, b.deposit!, NOW - 15 * DAY)).toEqual({
      username: 'alice',
      deviceId: old.deviceId,
    })
  })

  it('keeps batches apart: an item of one device’s batch is not taken as another’s', () => {
    const [a] = batchOf(2, alice) as [OfflineItem]
    const [x] = batchOf(2, bob) as [OfflineItem]
    const verifier = new DepositVerifier(keys.verifyOptions)
    expect(verifier.verify(a, a.deposit!, NOW).deviceId).toBe(alice.deviceId)
    expect(verifier.verify(x, x.deposit!, NOW).deviceId).toBe(bob.deviceId)
    // Alice's item carrying bob's batch proof: neither batch signed it.
    expect(codeOf(() => verifier.verify(a, x.deposit!, NOW))).toBe(ErrorCode.DepositInvalid)
  })
})
