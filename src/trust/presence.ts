/** Presence records: how to reach one device of a user, signed by that device. */
import { hash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodePresenceBody, PresenceRecord, PresenceStatus, type PresenceFields } from '../wire/overlay.js'
import { verifyCertificate, type VerifyCertificateOptions } from './certificate.js'
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

/**
 * Records whose device signature already verified, by network key and a digest of their bytes. A
 * lookup's supernode verifies each record a replica sends, the device verifies it again, and the
 * same few records are looked up again and again: the signature check (and the KeyObject it builds)
 * and the decoding were a tenth of a supernode's CPU in bench:directory. A signature over given bytes
 * stays valid, so only those are skipped on a hit; the certificate (its time and revocation) and the
 * record's lifetime are checked on every call.
 */
const signed = new LRUCache<string, { body: PresenceFields; certificate: Uint8Array }>({ max: 4096 })

/** Throws TrustError: a bad certificate (its own codes), a bad signature, or an expired or too-long-lived record. */
export function verifyPresence(bytes: Uint8Array, opts: VerifyCertificateOptions): Presence {
  const network = opts.networkPublicKey
  const key = `${Buffer.from(network.buffer, network.byteOffset, network.byteLength).toString('base64')}.${hash('sha256', bytes, 'base64')}`
  const known = signed.get(key)
  if (known !== undefined)
    return presenceOf(known.body, verifyCertificate(known.certificate, opts), bytes, opts.now)
  const { body, certificate } = verifyDeviceSigned(
    'presence record',
    bytes,
    PayloadType.Presence,
    decodePresenceBody,
    opts,
  )
  signed.set(key, { body, certificate: body.certificate })
  return presenceOf(body, certificate, bytes, opts.now)
}

function presenceOf(
  body: PresenceFields,
  certificate: ReturnType<typeof verifyCertificate>,
  bytes: Uint8Array,
  now: number,
): Presence {
  if (body.expiresAt <= now) throw new TrustError(ErrorCode.RecordExpired, 'presence record has expired')
  if (body.expiresAt > now + MAX_PRESENCE_TTL_MS + 60_000) {
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
