/**
 * The signed supernode grant list: the accounts the operator lets run a
 * supernode. Supernodes check an announcement's account against it beside
 * the certificate's flag, because a certificate outlives a withdrawn grant by
 * up to its whole lifetime (7 days); the list reaches them within a minute.
 *
 * Two document types, signed by the authority from the same grants at the
 * same sequence: v1 (`parley/supernode-grants/1`) names the accounts; v2
 * (`parley/supernode-grants/2`) adds each grant's seat and places, where
 * supernode placement puts the account's supernodes (docs/directory.md,
 * "Seats"). Old supernodes read v1; new ones prefer v2. Either verifies into
 * the same SupernodeGrantList, and the higher sequence wins.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { decodeEnvelope, WireDecodeError } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  decodeSupernodeGrantListBody,
  decodeSupernodeGrantListV2Body,
  encodeSupernodeGrantListBody,
  encodeSupernodeGrantListV2Body,
  GRANT_LIST_ENVELOPE_BYTES,
  GRANT_LIST_V2_ENVELOPE_BYTES,
  type SupernodeGrantFields,
  type SupernodeGrantListFields,
  type SupernodeGrantListV2Fields,
} from '../wire/grants.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

/** Where an account's supernodes are placed: its seat, for its first `places` live supernodes. */
export interface Seat {
  seat: Uint8Array
  places: number
}

export interface SupernodeGrantList extends SupernodeGrantListFields {
  /** A v2 list's grants carry their seat and places too. */
  grants: Array<SupernodeGrantFields & Partial<Seat>>
  bytes: Uint8Array
  /** 1, or 2 when the list carries seats. */
  version: 1 | 2
  has: (username: string) => boolean
  /** The account's seat; undefined on a v1 list, and for accounts not granted. */
  seatOf: (username: string) => Seat | undefined
}

/** Sorts the grants by username (the one canonical order) and signs the list with the network key. */
export function signSupernodeGrantList(fields: SupernodeGrantListFields, networkKey: Signer): Uint8Array {
  const grants = [...fields.grants].sort((a, b) => (a.username < b.username ? -1 : 1))
  return seal(PayloadType.SupernodeGrants, encodeSupernodeGrantListBody({ ...fields, grants }), networkKey)
}

/** The v2 list, with each grant's seat and places; sorted and signed like v1. */
export function signSupernodeGrantListV2(fields: SupernodeGrantListV2Fields, networkKey: Signer): Uint8Array {
  const grants = [...fields.grants].sort((a, b) => (a.username < b.username ? -1 : 1))
  return seal(
    PayloadType.SupernodeGrantsV2,
    encodeSupernodeGrantListV2Body({ ...fields, grants }),
    networkKey,
  )
}

/**
 * True when `certificate` was issued after `list` was signed. A certificate
 * carries the supernode role only for an account granted when it was issued,
 * so a newer one that allows the role, from an account the list does not
 * name, means the list is out of date (a grant since): worth fetching again.
 * Its issue time is its end less the network's certificate lifetime.
 */
export function issuedAfter(
  certificate: { notAfter: number; policy: { maySupernode: boolean } },
  list: { issuedAt: number },
  validityMs: number,
): boolean {
  return certificate.policy.maySupernode && certificate.notAfter - validityMs > list.issuedAt
}

/** Verifies a v1 or v2 list signed by the network key for this network. */
export function verifySupernodeGrantList(
  bytes: Uint8Array,
  opts: { networkPublicKey: Uint8Array; networkId: string },
): SupernodeGrantList {
  let type: string
  try {
    type = decodeEnvelope(bytes, GRANT_LIST_V2_ENVELOPE_BYTES).payloadType
  } catch (err) {
    if (err instanceof WireDecodeError) throw new TrustError(err.code, `supernode grant list: ${err.message}`)
    throw err
  }
  const v2 =
    type === PayloadType.SupernodeGrantsV2
      ? openSigned(
          'supernode grant list',
          bytes,
          PayloadType.SupernodeGrantsV2,
          opts.networkPublicKey,
          GRANT_LIST_V2_ENVELOPE_BYTES,
          decodeSupernodeGrantListV2Body,
        )
      : undefined
  const fields: SupernodeGrantListFields | SupernodeGrantListV2Fields =
    v2 ??
    openSigned(
      'supernode grant list',
      bytes,
      PayloadType.SupernodeGrants,
      opts.networkPublicKey,
      GRANT_LIST_ENVELOPE_BYTES,
      decodeSupernodeGrantListBody,
    )
  if (fields.networkId !== opts.networkId) {
    throw new TrustError(
      ErrorCode.WrongNetwork,
      `supernode grant list is for ${fields.networkId}, not ${opts.networkId}`,
    )
  }
  const granted = new Set(fields.grants.map((g) => g.username))
  const seats = new Map(v2?.grants.map((g) => [g.username, { seat: g.seat, places: g.places }]))
  return {
    networkId: fields.networkId,
    sequence: fields.sequence,
    issuedAt: fields.issuedAt,
    grants: fields.grants,
    bytes,
    version: v2 === undefined ? 1 : 2,
    has: (username) => granted.has(username),
    seatOf: (username) => seats.get(username),
  }
}

/** The list to keep: the higher sequence wins; at the same sequence v2 wins (it carries the seats). */
export function newerGrantList(held: SupernodeGrantList | undefined, heard: SupernodeGrantList): boolean {
  if (held === undefined) return true
  if (heard.sequence !== held.sequence) return heard.sequence > held.sequence
  return heard.version >= held.version
}
