/**
 * The signed revocation list. A revoked device can never sign in again, so
 * its entry only matters until every certificate issued before the revocation
 * has expired; the authority drops older entries and the list stays small.
 *
 * Two document types: v1 (parley/revocations/1) caps at 4,096 entries, which
 * mass self-revocation could use to push older entries out, and does not say
 * who revoked; v2 (parley/revocations/2) has neither limit. The authority signs
 * both from the same entries; old nodes read v1, new ones prefer v2. Either
 * verifies into the same RevocationList, and the higher sequence wins.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import {
  decodeEnvelope,
  decodeRevocationListBody,
  RevocationListBody,
  WireDecodeError,
} from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import {
  decodeRevocationListV2Body,
  RevocationListV2Body,
  RevokedBy,
  type RevocationEntryFields,
} from '../wire/revocations.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

export type { RevokedBy }

export interface RevocationListFields {
  networkId: string
  sequence: number
  issuedAt: number
  revocations: Array<{ deviceId: string; revokedAt: number; by?: RevokedBy }>
}

export interface RevocationList extends RevocationListFields {
  bytes: Uint8Array
  /** 1 or 2: a v1 list does not say who revoked. */
  version: 1 | 2
  has(deviceId: string): boolean
  /** The entry of a revoked device, undefined when it is not revoked. */
  entry(deviceId: string): { revokedAt: number; by?: RevokedBy } | undefined
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

export function signRevocationListV2(
  fields: Omit<RevocationListFields, 'revocations'> & { revocations: RevocationEntryFields[] },
  networkKey: Signer,
): Uint8Array {
  const body = RevocationListV2Body.encode({
    networkId: fields.networkId,
    sequence: BigInt(fields.sequence),
    issuedAt: BigInt(fields.issuedAt),
    revocations: fields.revocations.map((r) => ({
      deviceId: r.deviceId,
      revokedAt: BigInt(r.revokedAt),
      by: RevokedBy[r.by],
    })),
  })
  return seal(PayloadType.RevocationsV2, body, networkKey)
}

/** Verifies a v1 or v2 list signed by the network key for this network. */
export function verifyRevocationList(
  bytes: Uint8Array,
  opts: { networkPublicKey: Uint8Array; networkId: string },
): RevocationList {
  let type: string
  try {
    type = decodeEnvelope(bytes, Limits.revocationListV2Bytes + 1024).payloadType
  } catch (err) {
    if (err instanceof WireDecodeError) throw new TrustError(err.code, `revocation list: ${err.message}`)
    throw err
  }
  const fields: RevocationListFields =
    type === PayloadType.RevocationsV2
      ? openSigned(
          'revocation list',
          bytes,
          PayloadType.RevocationsV2,
          opts.networkPublicKey,
          Limits.revocationListV2Bytes + 1024,
          decodeRevocationListV2Body,
        )
      : openSigned(
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
  const entries = new Map(fields.revocations.map((r) => [r.deviceId, { revokedAt: r.revokedAt, by: r.by }]))
  return {
    ...fields,
    bytes,
    version: type === PayloadType.RevocationsV2 ? 2 : 1,
    has: (deviceId) => entries.has(deviceId),
    entry: (deviceId) => entries.get(deviceId),
  }
}

/** The list to keep: the higher sequence wins; at the same sequence v2 wins (it says who revoked). */
export function newerList(held: RevocationList | undefined, heard: RevocationList): boolean {
  if (held === undefined) return true
  if (heard.sequence !== held.sequence) return heard.sequence > held.sequence
  return heard.version > held.version
}
