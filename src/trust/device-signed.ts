/**
 * Documents a device signs with its own key and carries its certificate in:
 * presence records and supernode announcements. Any node verifies them
 * offline: the certificate against the network key, then the document
 * against the certificate's device key.
 */
import type { PayloadType } from '../crypto/envelope.js'
import { checkEnvelope, open, seal, SignatureError } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { decodeEnvelope, WireDecodeError, type SignedEnvelope } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import { verifyCertificate, type Certificate, type VerifyCertificateOptions } from './certificate.js'
import { TrustError } from './errors.js'

export function signByDevice(type: PayloadType, body: Uint8Array, device: Signer): Uint8Array {
  return seal(type, body, device)
}

/**
 * Verifies a device-signed document: its certificate (offline, with the
 * network key, revocations and time) and its signature by that device. The
 * envelope and the body are decoded once (each decode checks the canonical
 * re-encoding: decoding twice was a fifth of verifying a chat event, bench:chat).
 */
export function verifyDeviceSigned<T extends { certificate: Uint8Array }>(
  what: string,
  bytes: Uint8Array,
  type: PayloadType,
  decodeBody: (payload: Uint8Array) => T,
  opts: VerifyCertificateOptions,
  maxBytes: number = OverlayLimits.recordEnvelopeBytes,
): { body: T; certificate: Certificate } {
  let env: SignedEnvelope
  let body: T
  try {
    env = decodeEnvelope(bytes, maxBytes)
    if (env.payloadType !== type)
      throw new TrustError(ErrorCode.WrongPayloadType, `${what}: expected ${type}, got ${env.payloadType}`)
    body = decodeBody(env.payload)
  } catch (err) {
    if (err instanceof WireDecodeError) throw new TrustError(err.code, `${what}: ${err.message}`)
    throw err
  }
  const certificate = verifyCertificate(body.certificate, opts)
  try {
    checkEnvelope(env, type, certificate.devicePublicKey)
  } catch (err) {
    if (err instanceof SignatureError) throw new TrustError(err.code, `${what}: ${err.message}`)
    throw err
  }
  return { body, certificate }
}

export { open }
