/**
 * Device certificates: the authority binds a username to a device key with
 * policy flags and a validity window, signed by the network key. Any node
 * verifies one offline with the network public key from the network config.
 */
import { LRUCache } from 'lru-cache'
import { deviceIdOf, type Signer } from '../crypto/keys.js'
import { PayloadType, seal } from '../crypto/envelope.js'
import { plain } from '../wire/bytes.js'
import {
  CertificateBody,
  decodeCertificateBody,
  type CertificateFields,
  type DevicePolicy,
} from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import { TrustError } from './errors.js'
import { openSigned } from './verify.js'

export type { DevicePolicy }

export interface Certificate extends CertificateFields {
  /** The device's libp2p peer id, derived from devicePublicKey. */
  deviceId: string
  /** The signed bytes, as they travel. */
  bytes: Uint8Array
}

export type CertificateInput = Omit<CertificateFields, 'serial'> & { serial: bigint }

export function issueCertificate(fields: CertificateInput, networkKey: Signer): Uint8Array {
  const body = CertificateBody.encode({
    ...fields,
    devicePublicKey: plain(fields.devicePublicKey),
    notBefore: BigInt(fields.notBefore),
    notAfter: BigInt(fields.notAfter),
  })
  return seal(PayloadType.Certificate, body, networkKey)
}

export interface VerifyCertificateOptions {
  networkPublicKey: Uint8Array
  networkId: string
  /** Current time, ms since the epoch. */
  now: number
  /** True when the device (or this certificate) is revoked. */
  isRevoked?: (deviceId: string, serial: bigint) => boolean
}

/**
 * Certificates already read, by network key and bytes. A device's every
 * chat event, presence record and deposit carries its certificate: decoding
 * it, checking its signature and deriving its peer id each time was a third
 * of verifying a chat event (bench:chat). Only what passed is kept; the
 * checks that depend on the time and the revocations run on every call.
 */
const read = new LRUCache<string, Certificate>({ max: 1024 })

/** Decodes a certificate, checking its encoding and the network's signature only (verifyCertificate checks the rest). */
export function readCertificate(bytes: Uint8Array, networkPublicKey: Uint8Array): Certificate {
  const key = `${base64(networkPublicKey)}.${base64(bytes)}`
  const known = read.get(key)
  if (known !== undefined) return { ...known }
  const fields = openSigned(
    'certificate',
    bytes,
    PayloadType.Certificate,
    networkPublicKey,
    Limits.certificateBytes,
    decodeCertificateBody,
  )
  const cert = { ...fields, deviceId: deviceIdOf(fields.devicePublicKey), bytes: new Uint8Array(bytes) }
  read.set(key, cert)
  return { ...cert }
}

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')

/**
 * Verifies a certificate offline. Throws TrustError with a code per refusal:
 * malformed/too_large/invalid_field, unknown_signer, bad_signature,
 * wrong_network, certificate_not_yet_valid, certificate_expired, certificate_revoked.
 */
export function verifyCertificate(bytes: Uint8Array, opts: VerifyCertificateOptions): Certificate {
  if (!Number.isFinite(opts.now)) throw new RangeError(`now must be a time in ms, not ${opts.now}`)
  const cert = readCertificate(bytes, opts.networkPublicKey)
  if (cert.networkId !== opts.networkId) {
    throw new TrustError(
      ErrorCode.WrongNetwork,
      `certificate is for network ${cert.networkId}, not ${opts.networkId}`,
    )
  }
  if (opts.now < cert.notBefore) {
    throw new TrustError(
      ErrorCode.CertificateNotYetValid,
      `certificate is valid from ${new Date(cert.notBefore).toISOString()}`,
    )
  }
  if (opts.now >= cert.notAfter) {
    throw new TrustError(
      ErrorCode.CertificateExpired,
      `certificate expired at ${new Date(cert.notAfter).toISOString()}`,
    )
  }
  if (opts.isRevoked?.(cert.deviceId, cert.serial) === true) {
    throw new TrustError(ErrorCode.CertificateRevoked, `device ${cert.deviceId} is revoked`)
  }
  return cert
}
