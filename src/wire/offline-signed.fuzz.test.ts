/**
 * Fuzzing the offline store's signed bodies and their verifiers (issue 10,
 * H3): whatever the bytes, the decoders throw only WireDecodeError and the
 * verifiers only OfflineAuthError, nothing hangs, and an altered grant or
 * deposit never verifies.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { verifyAccess } from '../offline/access.js'
import { AccessKind, grantOf, OfflineKeys, type TestDevice } from '../offline/auth.fixtures.js'
import { signDeposit, verifyDeposit } from '../offline/deposit.js'
import { OfflineAuthError } from '../offline/errors.js'
import type { OfflineItem } from '../offline/types.js'
import { decoderInputs, decodesOrRefuses, mutated, verifiesOrRefuses } from './fuzz-support.js'
import {
  ACCESS_ENVELOPE_BYTES,
  decodeOfflineAccessBody,
  decodeOfflineDepositBody,
  DEPOSIT_ENVELOPE_BYTES,
  OfflineAccessBody,
  OfflineDepositBody,
  OfflineSignedLimits,
} from './offline-signed.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const NOW = Date.now()

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) % 256)

let keys: OfflineKeys
let bob: TestDevice
let item: OfflineItem
let grants: Uint8Array[] = []
let deposits: Uint8Array[] = []

beforeAll(async () => {
  keys = await OfflineKeys.create()
  bob = await keys.device('bob')
  item = {
    id: bytesOf(16, 1),
    recipient: 'bob',
    sender: '',
    storedAt: NOW,
    nonce: bytesOf(24, 2),
    ciphertext: bytesOf(100, 3),
    copies: [{ deviceId: bob.deviceId, ephemeral: bytesOf(32, 4), wrapped: bytesOf(72, 5) }],
  }
  grants = [grantOf(bob, AccessKind.Take), grantOf(bob, AccessKind.Drop, [item.id, bytesOf(16, 9)])]
  deposits = [signDeposit(item, bob.certificate, bob.signer)]
})

const bodies = () => [
  ...[1, 2].map((kind) =>
    OfflineAccessBody.encode({
      certificate: bytesOf(300, kind),
      kind,
      recipient: 'bob',
      ids: kind === 2 ? [bytesOf(16, 7)] : [],
      expiresAt: BigInt(NOW),
    }),
  ),
  OfflineDepositBody.encode({
    certificate: bytesOf(300, 3),
    id: bytesOf(16, 1),
    recipient: 'bob',
    contentDigest: bytesOf(32, 2),
    copyDigests: [bytesOf(32, 4), bytesOf(32, 5)],
  }),
]

describe('fuzz corpus', () => {
  it('starts from documents that decode and verify', () => {
    const take = { kind: AccessKind.Take, recipient: 'bob', deviceId: bob.deviceId, ids: [] }
    expect(() => verifyAccess(grants[0]!, take, keys.verifyOptions(NOW))).not.toThrow()
    expect(verifyDeposit(item, deposits[0]!, keys.verifyOptions(NOW)).username).toBe('bob')
  })
})

describe('the signed bodies’ decoders take any bytes', () => {
  it('decodeOfflineAccessBody and decodeOfflineDepositBody throw only WireDecodeError', () => {
    const cap = Math.max(OfflineSignedLimits.accessBodyBytes, OfflineSignedLimits.depositBodyBytes) + 64
    fc.assert(
      fc.property(decoderInputs(cap, bodies()), (bytes) => {
        decodesOrRefuses(decodeOfflineAccessBody, bytes)
        decodesOrRefuses(decodeOfflineDepositBody, bytes)
      }),
      { numRuns: DECODER_RUNS },
    )
  }, 120_000)
})

describe('the verifiers take any bytes, and an altered document never verifies', () => {
  it('verifyAccess throws only OfflineAuthError, and refuses every mutation of a grant', () => {
    const drop = { kind: AccessKind.Drop, recipient: 'bob', deviceId: bob.deviceId, ids: [item.id] }
    fc.assert(
      fc.property(
        fc.oneof(
          decoderInputs(ACCESS_ENVELOPE_BYTES + 64, grants),
          mutated(grants).map((m) => m.bytes),
        ),
        (bytes) => {
          const ok = verifiesOrRefuses([OfflineAuthError], bytes, () => {
            verifyAccess(bytes, drop, keys.verifyOptions(NOW))
            return true
          })
          // Only the drop grant itself covers this drop.
          if (ok === true) expect(Buffer.from(bytes).equals(Buffer.from(grants[1]!))).toBe(true)
        },
      ),
      { numRuns: VERIFY_RUNS },
    )
  }, 120_000)

  it('verifyDeposit throws only OfflineAuthError, and refuses every mutation of a deposit', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          decoderInputs(DEPOSIT_ENVELOPE_BYTES + 64, deposits),
          mutated(deposits).map((m) => m.bytes),
        ),
        (bytes) => {
          const by = verifiesOrRefuses([OfflineAuthError], bytes, () =>
            verifyDeposit(item, bytes, keys.verifyOptions(NOW)),
          )
          if (by !== undefined) expect(Buffer.from(bytes).equals(Buffer.from(deposits[0]!))).toBe(true)
        },
      ),
      { numRuns: VERIFY_RUNS },
    )
  }, 120_000)
})
