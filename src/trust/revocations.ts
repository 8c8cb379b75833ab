/**
 * The signed revocation list. A revoked device can never sign in again, so
 * its entry only matters until every certificate issued before the revocation
 * has expired; the authority drops older entries and the list stays small.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { decodeRevocationListBody, RevocationListBody, type RevocationListFields } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

export interface RevocationList extends RevocationListFields {
  bytes: Uint8Array
  has(deviceId: string): boolean
}

export function signRevocationList(fields: RevocationListFields, networkKey: Signer): Uint8Array {
  const body = RevocationListBody.encode({
    networkId: fields.networkId,
    sequence: BigInt(fields.sequence),
    issuedAt: BigInt(fields.issuedAt),
    revocations: fields.revocations.map((r) => ({ deviceId: r.deviceId, revokedAt: BigInt(r.revokedAt) })),
  })
  return seal(PayloadType.Revocations, body, networkKey)
}

export function verifyRevocationList(
  bytes: Uint8Array,
  opts: { networkPublicKey: Uint8Array; networkId: string },
): RevocationList {
  const fields = openSigned(
    'revocation list',
    bytes,
    PayloadType.Revocations,
    opts.networkPublicKey,
    Limits.revocationListBytes,
    decodeRevocationListBody,
  )
  if (fields.networkId !== opts.networkId) {
    throw new TrustError(
      ErrorCode.WrongNetwork,
      `revocation list is for ${fields.networkId}, not ${opts.networkId}`,
    )
  }
  const revoked = new Set(fields.revocations.map((r) => r.deviceId))
  return { ...fields, bytes, has: (deviceId) => revoked.has(deviceId) }
}
