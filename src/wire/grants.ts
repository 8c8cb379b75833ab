/**
 * The capped, canonical decoders of the supernode grant list: v1
 * (`parley/supernode-grants/1`: who may run supernodes) and v2
 * (`parley/supernode-grants/2`: the same, with each grant's seat and places,
 * which supernode placement hashes instead of peer ids). Like codec.ts,
 * nothing but WireDecodeError escapes them. Grants are sorted by username,
 * each once, so one list has exactly one byte form and `has()` never depends
 * on order.
 */
import { checkBytes, checkString, decodeCapped, invalid, time } from './decode.js'
import { isUsername } from './fields.js'
import {
  SupernodeGrant,
  SupernodeGrantListBody,
  SupernodeGrantListV2Body,
  SupernodeGrantV2,
} from './generated/parley.js'
import { Limits } from './limits.js'

export { SupernodeGrant, SupernodeGrantListBody, SupernodeGrantListV2Body, SupernodeGrantV2 }

export interface SupernodeGrantFields {
  username: string
  grantedAt: number
}

export interface SupernodeGrantListFields {
  networkId: string
  sequence: number
  issuedAt: number
  grants: SupernodeGrantFields[]
}

export interface SupernodeGrantV2Fields extends SupernodeGrantFields {
  /** Limits.seatBytes random bytes, drawn by the authority when it granted the role. */
  seat: Uint8Array
  /** How many of the account's live supernodes are placed, 1 to Limits.supernodePlaces. */
  places: number
}

export interface SupernodeGrantListV2Fields {
  networkId: string
  sequence: number
  issuedAt: number
  grants: SupernodeGrantV2Fields[]
}

/** The envelope around a full list: the body's cap plus the envelope's own fields. */
export const GRANT_LIST_ENVELOPE_BYTES = Limits.supernodeGrantListBytes + 256
export const GRANT_LIST_V2_ENVELOPE_BYTES = Limits.supernodeGrantListV2Bytes + 256

export function encodeSupernodeGrantListBody(fields: SupernodeGrantListFields): Uint8Array {
  return SupernodeGrantListBody.encode({
    networkId: fields.networkId,
    sequence: BigInt(fields.sequence),
    issuedAt: BigInt(fields.issuedAt),
    grants: fields.grants.map((g) => ({ username: g.username, grantedAt: BigInt(g.grantedAt) })),
  })
}

export function decodeSupernodeGrantListBody(bytes: Uint8Array): SupernodeGrantListFields {
  const b = decodeCapped<SupernodeGrantListBody>(
    'supernode grant list',
    SupernodeGrantListBody,
    bytes,
    Limits.supernodeGrantListBytes,
    { grants: Limits.supernodeGrants },
  )
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  const sequence = time('sequence', b.sequence)
  const grants = sortedGrants(b.grants, (g, i) => ({
    username: g.username,
    grantedAt: time(`grants[${i}].grantedAt`, g.grantedAt),
  }))
  return { networkId: b.networkId, sequence, issuedAt: time('issuedAt', b.issuedAt), grants }
}

export function encodeSupernodeGrantListV2Body(fields: SupernodeGrantListV2Fields): Uint8Array {
  return SupernodeGrantListV2Body.encode({
    networkId: fields.networkId,
    sequence: BigInt(fields.sequence),
    issuedAt: BigInt(fields.issuedAt),
    grants: fields.grants.map((g) => ({
      username: g.username,
      grantedAt: BigInt(g.grantedAt),
      seat: new Uint8Array(g.seat),
      places: g.places,
    })),
  })
}

export function decodeSupernodeGrantListV2Body(bytes: Uint8Array): SupernodeGrantListV2Fields {
  const b = decodeCapped<SupernodeGrantListV2Body>(
    'supernode grant list',
    SupernodeGrantListV2Body,
    bytes,
    Limits.supernodeGrantListV2Bytes,
    { grants: Limits.supernodeGrants },
  )
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  const sequence = time('sequence', b.sequence)
  const grants = sortedGrants(b.grants, (g, i) => {
    checkBytes(`grants[${i}].seat`, g.seat, Limits.seatBytes)
    if (g.places < 1 || g.places > Limits.supernodePlaces)
      invalid(`grants[${i}].places`, `must be 1–${Limits.supernodePlaces}`)
    return {
      username: g.username,
      grantedAt: time(`grants[${i}].grantedAt`, g.grantedAt),
      // A copy: a plain Uint8Array even when the list was read from a Buffer (a file on disk).
      seat: new Uint8Array(g.seat),
      places: g.places,
    }
  })
  return { networkId: b.networkId, sequence, issuedAt: time('issuedAt', b.issuedAt), grants }
}

/** Valid usernames in strictly increasing order (sorted, each once), each grant read by `read`. */
function sortedGrants<G extends { username: string }, T>(grants: G[], read: (g: G, i: number) => T): T[] {
  let previous = ''
  return grants.map((g, i) => {
    if (!isUsername(g.username)) invalid(`grants[${i}].username`, 'is not a valid username')
    if (g.username <= previous) invalid(`grants[${i}].username`, 'is out of order or repeated')
    previous = g.username
    return read(g, i)
  })
}
