/**
 * Capped, canonical decoders for the v2 revocation list (no count cap, with
 * who revoked) and for the device ↔ supernode exchange that carries it. Like
 * codec.ts, nothing but WireDecodeError escapes them.
 */
import { checkString, decodeCapped, invalid, time } from './decode.js'
import { RevocationListV2Body, RevocationsRequest, RevocationsResponse } from './generated/parley.js'
import { Limits } from './limits.js'

export { RevocationListV2Body, RevocationsRequest, RevocationsResponse }

export const RevokedBy = { owner: 1, admin: 2 } as const
export type RevokedBy = keyof typeof RevokedBy

export interface RevocationEntryFields {
  deviceId: string
  revokedAt: number
  by: RevokedBy
}

export interface RevocationListV2Fields {
  networkId: string
  sequence: number
  issuedAt: number
  revocations: RevocationEntryFields[]
}

export function decodeRevocationListV2Body(bytes: Uint8Array): RevocationListV2Fields {
  const b = decodeCapped<RevocationListV2Body>(
    'revocation list',
    RevocationListV2Body,
    bytes,
    Limits.revocationListV2Bytes,
    { revocations: Limits.revocationsV2 },
  )
  checkString('networkId', b.networkId, Limits.networkIdChars, 1)
  const revocations = b.revocations.map((r, i): RevocationEntryFields => {
    checkString(`revocations[${i}].deviceId`, r.deviceId, 128, 1)
    if (r.by !== RevokedBy.owner && r.by !== RevokedBy.admin) invalid(`revocations[${i}].by`, 'is unknown')
    return {
      deviceId: r.deviceId,
      revokedAt: time(`revocations[${i}].revokedAt`, r.revokedAt),
      by: r.by === RevokedBy.owner ? 'owner' : 'admin',
    }
  })
  return {
    networkId: b.networkId,
    sequence: time('sequence', b.sequence),
    issuedAt: time('issuedAt', b.issuedAt),
    revocations,
  }
}

/** A request is one varint: anything larger is not one. */
const REQUEST_BYTES = 16

export function decodeRevocationsRequest(bytes: Uint8Array): { sequence: number } {
  const r = decodeCapped<RevocationsRequest>('revocations request', RevocationsRequest, bytes, REQUEST_BYTES)
  return { sequence: time('sequence', r.sequence) }
}

/** The answer's cap: one v2 list in its envelope, with room for the envelope's fields. */
export const REVOCATIONS_RESPONSE_BYTES = Limits.revocationListV2Bytes + 1024

export function decodeRevocationsResponse(bytes: Uint8Array): Uint8Array {
  return decodeCapped<RevocationsResponse>(
    'revocations response',
    RevocationsResponse,
    bytes,
    REVOCATIONS_RESPONSE_BYTES,
  ).list
}
