/**
 * Capped, canonical decoders for `/parley/lists/1.0.0`: a device asks its
 * supernode for the revocation list and the supernode grant list in one
 * exchange (docs/supernodes.md, "Idle upkeep"). Like codec.ts, nothing but
 * WireDecodeError escapes them; the lists inside are checked by their own
 * verifiers (trust/revocations.ts, trust/grants.ts).
 */
import { decodeCapped, invalid, time } from './decode.js'
import { SignedListsRequest, SignedListsResponse } from './generated/parley.js'
import { GRANT_LIST_V2_ENVELOPE_BYTES } from './grants.js'
import { Limits } from './limits.js'

export { SignedListsRequest, SignedListsResponse }

/** Two varints with their tags: anything larger is not a request. */
export const SIGNED_LISTS_REQUEST_BYTES = 32
/** One v2 revocation list in its envelope (as /parley/revocations/1.0.0 carries it). */
export const LISTED_REVOCATIONS_BYTES = Limits.revocationListV2Bytes + 1024
/** One v2 grant list in its envelope. */
export const LISTED_GRANTS_BYTES = GRANT_LIST_V2_ENVELOPE_BYTES
/** The answer's cap: both lists and their field headers. */
export const SIGNED_LISTS_RESPONSE_BYTES = LISTED_REVOCATIONS_BYTES + LISTED_GRANTS_BYTES + 32

export interface SignedListsAsked {
  revocationsSequence: number
  grantsSequence: number
}

export function decodeSignedListsRequest(bytes: Uint8Array): SignedListsAsked {
  const r = decodeCapped<SignedListsRequest>(
    'signed lists request',
    SignedListsRequest,
    bytes,
    SIGNED_LISTS_REQUEST_BYTES,
  )
  return {
    revocationsSequence: time('revocationsSequence', r.revocationsSequence),
    grantsSequence: time('grantsSequence', r.grantsSequence),
  }
}

/** Each list's bytes, empty when the supernode holds nothing newer than what was asked with. */
export function decodeSignedListsResponse(bytes: Uint8Array): {
  revocations: Uint8Array
  grants: Uint8Array
} {
  const r = decodeCapped<SignedListsResponse>(
    'signed lists response',
    SignedListsResponse,
    bytes,
    SIGNED_LISTS_RESPONSE_BYTES,
  )
  if (r.revocations.byteLength > LISTED_REVOCATIONS_BYTES)
    invalid('revocations', `is larger than ${LISTED_REVOCATIONS_BYTES} bytes`)
  if (r.grants.byteLength > LISTED_GRANTS_BYTES)
    invalid('grants', `is larger than ${LISTED_GRANTS_BYTES} bytes`)
  return { revocations: r.revocations, grants: r.grants }
}
