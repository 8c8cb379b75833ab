/** Presence records: how to reach one device of a user, signed by that device. */
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodePresenceBody, PresenceRecord, PresenceStatus } from '../wire/overlay.js'
import type { VerifyCertificateOptions } from './certificate.js'
import { signByDevice, verifyDeviceSigned } from './device-signed.js'
import { TrustError } from './errors.js'

export { PresenceStatus }

/** A record lives at most this long; devices republish well before. */
export const MAX_PRESENCE_TTL_MS = 60 * 60_000

export interface Presence {
  username: string
  deviceId: string
  deviceName: string
  /** The device's raw Ed25519 public key, from its certificate. */
  devicePublicKey: Uint8Array
  addrs: string[]
  status: PresenceStatus
  sequence: number
  expiresAt: number
  bytes: Uint8Array
}

export interface PresenceInput {
  certificate: Uint8Array
  addrs: string[]
  status: PresenceStatus
  sequence: number
  expiresAt: number
}

export function signPresence(input: PresenceInput, device: Signer): Uint8Array {
  const body = PresenceRecord.encode({
    ...input,
    certificate: plain(input.certificate),
    sequence: BigInt(input.sequence),
    expiresAt: BigInt(input.expiresAt),
  })
  return signByDevice(PayloadType.Presence, body, device)
}

/** Throws TrustError: a bad certificate (its own codes), a bad signature, or an expired or too-long-lived record. */
export function verifyPresence(bytes: Uint8Array, opts: VerifyCertificateOptions): Presence {
  const { body, certificate } = verifyDeviceSigned(
    'presence record',
    bytes,
    PayloadType.Presence,
    decodePresenceBody,
    opts,
  )
  if (body.expiresAt <= opts.now) throw new TrustError(ErrorCode.RecordExpired, 'presence record has expired')
  if (body.expiresAt > opts.now + MAX_PRESENCE_TTL_MS + 60_000) {
    throw new TrustError(ErrorCode.InvalidField, 'presence record claims to live too long')
  }
  return {
    username: certificate.username,
    deviceId: certificate.deviceId,
    deviceName: certificate.deviceName,
    devicePublicKey: certificate.devicePublicKey,
    addrs: body.addrs,
    status: body.status,
    sequence: body.sequence,
    expiresAt: body.expiresAt,
    bytes,
  }
}
