/**
 * The capped, canonical decoder of the supernode grant list
 * (`parley/supernode-grants/1`). Like codec.ts, nothing but WireDecodeError
 * escapes it. Grants are sorted by username, each once, so one list has
 * exactly one byte form and `has()` never depends on order.
 */
import { checkString, decodeCapped, invalid, time } from './decode.js'
import { isUsername } from './fields.js'
import { SupernodeGrant, SupernodeGrantListBody } from './generated/parley.js'
import { Limits } from './limits.js'

export { SupernodeGrant, SupernodeGrantListBody }

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

/** The envelope around a full list: the body's cap plus the envelope's own fields. */
export const GRANT_LIST_ENVELOPE_BYTES = Limits.supernodeGrantListBytes + 256

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
  let previous = ''
  const grants = b.grants.map((g, i) => {
    if (!isUsername(g.username)) invalid(`grants[${i}].username`, 'is not a valid username')
    if (g.username <= previous) invalid(`grants[${i}].username`, 'is out of order or repeated')
    previous = g.username
    return { username: g.username, grantedAt: time(`grants[${i}].grantedAt`, g.grantedAt) }
  })
  return { networkId: b.networkId, sequence, issuedAt: time('issuedAt', b.issuedAt), grants }
}
