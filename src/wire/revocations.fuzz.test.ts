/**
 * The v2 revocation list and the device ↔ supernode exchange that carries it:
 * byte-exact encodings, refusals with their codes, fuzzed decoders, and a
 * verifier that refuses any altered list with a TrustError only.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { TrustError } from '../trust/errors.js'
import {
  newerList,
  signRevocationList,
  signRevocationListV2,
  verifyRevocationList,
} from '../trust/revocations.js'
import { ErrorCode } from './error-codes.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  expectRefused,
  mutated,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { Limits } from './limits.js'
import {
  decodeRevocationListV2Body,
  decodeRevocationsRequest,
  decodeRevocationsResponse,
  RevocationListV2Body,
  RevocationsRequest,
  RevocationsResponse,
  REVOCATIONS_RESPONSE_BYTES,
  type RevocationEntryFields,
} from './revocations.js'

const NETWORK = 'parley-fuzz'
let networkKey: Signer
const lists: Uint8Array[] = []
const bodies: Uint8Array[] = []

const entries = (n: number): RevocationEntryFields[] =>
  Array.from({ length: n }, (_, i) => ({
    deviceId: `12D3KooWdevice${i}`,
    revokedAt: 1_800_000_000_000 + i,
    by: i % 2 === 0 ? 'owner' : 'admin',
  }))

beforeAll(async () => {
  networkKey = signerOf(await generateKey())
  for (const n of [0, 1, 5000]) {
    const fields = {
      networkId: NETWORK,
      sequence: n + 1,
      issuedAt: 1_800_000_000_000,
      revocations: entries(n),
    }
    lists.push(signRevocationListV2(fields, networkKey))
    bodies.push(
      RevocationListV2Body.encode({
        ...fields,
        sequence: BigInt(fields.sequence),
        issuedAt: BigInt(fields.issuedAt),
        revocations: fields.revocations.map((r) => ({
          deviceId: r.deviceId,
          revokedAt: BigInt(r.revokedAt),
          by: r.by === 'owner' ? 1 : 2,
        })),
      }),
    )
  }
})

describe('the v2 list, byte by byte', () => {
  it('encodes an entry as device id, time and who, and holds more than v1 ever could', () => {
    const body = RevocationListV2Body.encode({
      networkId: 'n',
      sequence: 2n,
      issuedAt: 3n,
      revocations: [{ deviceId: 'd', revokedAt: 4n, by: 2 }],
    })
    expect([...body]).toEqual([10, 1, 110, 16, 2, 24, 3, 34, 7, 10, 1, 100, 16, 4, 24, 2])
    const big = verifyRevocationList(lists[2]!, {
      networkPublicKey: networkKey.publicKey,
      networkId: NETWORK,
    })
    expect(big.revocations.length).toBeGreaterThan(Limits.revocations)
    expect(big.entry('12D3KooWdevice4999')).toEqual({ revokedAt: 1_800_000_004_999, by: 'admin' })
    expect(big.version).toBe(2)
  })

  it('refuses an unknown revoker, an empty device id and a list past its byte cap, each with its code', () => {
    const bad = (by: number, deviceId = 'd') =>
      RevocationListV2Body.encode({
        networkId: 'n',
        sequence: 1n,
        issuedAt: 1n,
        revocations: [{ deviceId, revokedAt: 1n, by }],
      })
    expectRefused(() => decodeRevocationListV2Body(bad(3)), ErrorCode.InvalidField, 'revocations[0].by')
    expectRefused(
      () => decodeRevocationListV2Body(bad(1, '')),
      ErrorCode.InvalidField,
      'revocations[0].deviceId',
    )
    expect(() => decodeRevocationListV2Body(new Uint8Array(Limits.revocationListV2Bytes + 1))).toThrow(
      /cap is/,
    )
    expectRefused(() => decodeRevocationsRequest(new Uint8Array(17)), ErrorCode.TooLarge)
  })

  it('round-trips the request and the answer, and an empty answer means nothing newer', () => {
    expect(decodeRevocationsRequest(RevocationsRequest.encode({ sequence: 7n }))).toEqual({ sequence: 7 })
    expect(decodeRevocationsRequest(new Uint8Array())).toEqual({ sequence: 0 })
    expect(decodeRevocationsResponse(RevocationsResponse.encode({ list: new Uint8Array() }))).toEqual(
      new Uint8Array(),
    )
  })

  it('keeps the higher sequence, and v2 over v1 at the same sequence', async () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    const v1 = verifyRevocationList(
      signRevocationList({ networkId: NETWORK, sequence: 2, issuedAt: 1, revocations: [] }, networkKey),
      opts,
    )
    const v2 = verifyRevocationList(lists[1]!, opts)
    expect(v2.sequence).toBe(2)
    expect(newerList(v1, v2)).toBe(true)
    expect(newerList(v2, v1)).toBe(false)
    expect(newerList(undefined, v1)).toBe(true)
    expect(newerList(verifyRevocationList(lists[2]!, opts), v2)).toBe(false)
    const other = signerOf(await generateKey())
    expect(() =>
      verifyRevocationList(
        signRevocationListV2({ networkId: NETWORK, sequence: 9, issuedAt: 1, revocations: [] }, other),
        opts,
      ),
    ).toThrow(TrustError)
  })
})

describe('decoders take any bytes', () => {
  it.each([
    ['decodeRevocationListV2Body', decodeRevocationListV2Body, 64 * 1024, () => bodies.slice(0, 2)],
    [
      'decodeRevocationsRequest',
      decodeRevocationsRequest,
      16,
      () => [RevocationsRequest.encode({ sequence: 300n })],
    ],
    [
      'decodeRevocationsResponse',
      decodeRevocationsResponse,
      4096,
      () => [RevocationsResponse.encode({ list: new Uint8Array(lists[1]!) })],
    ],
  ] as const)(
    '%s returns a value or a WireDecodeError for random and mutated input',
    (_n, decode, cap, corpus) => {
      fc.assert(
        fc.property(decoderInputs(cap, corpus()), (bytes) => decodesOrRefuses(decode, bytes)),
        { numRuns: 20_000 },
      )
    },
  )

  it('verifyRevocationList (v2) throws only TrustError and never accepts altered content', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    fc.assert(
      fc.property(mutated(lists.slice(0, 2), 2), ({ original, bytes }) => {
        const list = verifiesOrRefuses([TrustError], bytes, () => verifyRevocationList(bytes, opts))
        if (list !== undefined)
          assertSameContent('revocation list', list, verifyRevocationList(original, opts))
      }),
      { numRuns: 2_000 },
    )
  })

  it('caps the answer at one v2 list in its envelope', () => {
    expect(REVOCATIONS_RESPONSE_BYTES).toBeGreaterThan(Limits.revocationListV2Bytes)
  })
})
