/**
 * `/parley/lists/1.0.0`'s two messages: byte-exact encodings, the caps with
 * their codes, and decoders that take any bytes and throw only
 * WireDecodeError.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { plain } from './bytes.js'
import { ErrorCode } from './error-codes.js'
import { decodeRevocationsResponse, REVOCATIONS_RESPONSE_BYTES } from './revocations.js'
import { decoderInputs, decodesOrRefuses, expectRefused } from './fuzz-support.js'
import {
  decodeSignedListsRequest,
  decodeSignedListsResponse,
  LISTED_GRANTS_BYTES,
  LISTED_REVOCATIONS_BYTES,
  SIGNED_LISTS_REQUEST_BYTES,
  SIGNED_LISTS_RESPONSE_BYTES,
  SignedListsRequest,
  SignedListsResponse,
} from './signed-lists.js'

describe('the one-request lists exchange, byte by byte', () => {
  it('encodes the request as two sequences, and an empty one as "I hold neither"', () => {
    const bytes = SignedListsRequest.encode({ revocationsSequence: 3n, grantsSequence: 300n })
    expect([...bytes]).toEqual([8, 3, 16, 172, 2])
    expect(decodeSignedListsRequest(bytes)).toEqual({ revocationsSequence: 3, grantsSequence: 300 })
    expect(decodeSignedListsRequest(new Uint8Array())).toEqual({ revocationsSequence: 0, grantsSequence: 0 })
  })

  it('encodes the answer as two byte fields, each empty when nothing is newer', () => {
    const bytes = SignedListsResponse.encode({ revocations: Uint8Array.of(1, 2), grants: Uint8Array.of(9) })
    expect([...bytes]).toEqual([10, 2, 1, 2, 18, 1, 9])
    expect(decodeSignedListsResponse(bytes)).toEqual({
      revocations: Uint8Array.of(1, 2),
      grants: Uint8Array.of(9),
    })
    expect(decodeSignedListsResponse(new Uint8Array())).toEqual({
      revocations: new Uint8Array(),
      grants: new Uint8Array(),
    })
  })

  it('refuses a request or an answer past its cap, and a list past its own, each with its code', () => {
    expectRefused(
      () => decodeSignedListsRequest(new Uint8Array(SIGNED_LISTS_REQUEST_BYTES + 1)),
      ErrorCode.TooLarge,
    )
    expectRefused(
      () => decodeSignedListsResponse(new Uint8Array(SIGNED_LISTS_RESPONSE_BYTES + 1)),
      ErrorCode.TooLarge,
    )
    const bigGrants = SignedListsResponse.encode({
      revocations: new Uint8Array(),
      grants: new Uint8Array(LISTED_GRANTS_BYTES + 1),
    })
    expectRefused(() => decodeSignedListsResponse(bigGrants), ErrorCode.InvalidField, 'grants')
    const bigRevocations = SignedListsResponse.encode({
      revocations: new Uint8Array(LISTED_REVOCATIONS_BYTES + 1),
      grants: new Uint8Array(),
    })
    expectRefused(() => decodeSignedListsResponse(bigRevocations), ErrorCode.InvalidField, 'revocations')
    // A sequence past 2^53 is no time and no sequence.
    const huge = SignedListsRequest.encode({ revocationsSequence: 2n ** 60n, grantsSequence: 0n })
    expect(() => decodeSignedListsRequest(huge)).toThrow()
  })

  it('carries any revocation list the older answer could', () => {
    expect(LISTED_REVOCATIONS_BYTES).toBe(REVOCATIONS_RESPONSE_BYTES)
    const list = new Uint8Array(1000).fill(7)
    const older = decodeRevocationsResponse(new Uint8Array([10, 232, 7, ...list]))
    expect(
      decodeSignedListsResponse(
        SignedListsResponse.encode({ revocations: plain(older), grants: new Uint8Array() }),
      ).revocations,
    ).toEqual(list)
  })
})

describe('decoders take any bytes', () => {
  it.each([
    [
      'decodeSignedListsRequest',
      decodeSignedListsRequest,
      64,
      () => [SignedListsRequest.encode({ revocationsSequence: 300n, grantsSequence: 7n })],
    ],
    [
      'decodeSignedListsResponse',
      decodeSignedListsResponse,
      4096,
      () => [
        SignedListsResponse.encode({ revocations: new Uint8Array(300).fill(1), grants: Uint8Array.of(5, 6) }),
      ],
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
})
