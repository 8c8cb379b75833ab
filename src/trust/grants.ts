/**
 * The signed supernode grant list: the accounts the operator lets run a
 * supernode. Supernodes check an announcement's account against it beside
 * the certificate's flag, because a certificate outlives a withdrawn grant by
 * up to its whole lifetime (7 days); the list reaches them within a minute.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  decodeSupernodeGrantListBody,
  encodeSupernodeGrantListBody,
  GRANT_LIST_ENVELOPE_BYTES,
  type SupernodeGrantListFields,
} from '../wire/grants.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

export interface SupernodeGrantList extends SupernodeGrantListFields {
  bytes: Uint8Array
  has: (username: string) => boolean
}

/** Sorts the grants by username (the one canonical order) and signs the list with the network key. */
export function signSupernodeGrantList(fields: SupernodeGrantListFields, networkKey: Signer): Uint8Array {
  const grants = [...fields.grants].sort((a, b) => (a.username < b.username ? -1 : 1))
  return seal(PayloadType.SupernodeGrants, encodeSupernodeGrantListBody({ ...fields, grants }), networkKey)
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

export function verifySupernodeGrantList(
  bytes: Uint8Array,
  opts: { networkPublicKey: Uint8Array; networkId: string },
): SupernodeGrantList {
  const fields = openSigned(
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
  return { ...fields, bytes, has: (username) => granted.has(username) }
}
