/** Shape checks for the authority's JSON bodies: each bad field answers 400 with its own code. */
import { fromBase64 } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isDeviceName, isUsername } from '../wire/fields.js'
import { isDeviceId } from '../crypto/keys.js'
import { Limits } from '../wire/limits.js'
import { AuthorityError } from './errors.js'

export const MIN_PASSWORD_CHARS = 10
export const MAX_PASSWORD_CHARS = 1024

type Body = Record<string, unknown>

function bad(code: ErrorCode, message: string): never {
  throw new AuthorityError(400, code, message)
}

export function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    bad(ErrorCode.InvalidJson, 'the body must be a JSON object')
  return body as Body
}

export function username(body: Body): string {
  const v = body.username
  if (!isUsername(v))
    bad(ErrorCode.InvalidUsername, 'username must be 3–32 characters of a-z, 0-9, ".", "_" or "-"')
  return v
}

/** For new passwords: the length rule applies. */
export function newPassword(body: Body): string {
  const v = body.password
  if (typeof v !== 'string' || [...v].length < MIN_PASSWORD_CHARS || v.length > MAX_PASSWORD_CHARS) {
    bad(ErrorCode.InvalidPassword, `password must be at least ${MIN_PASSWORD_CHARS} characters`)
  }
  return v
}

/** For sign-in: any non-empty string up to the cap (an old, shorter rule must not lock anyone out). */
export function password(body: Body): string {
  const v = body.password
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PASSWORD_CHARS)
    bad(ErrorCode.InvalidPassword, 'password is missing')
  return v
}

export function deviceName(body: Body): string {
  const v = body.deviceName
  if (!isDeviceName(v)) bad(ErrorCode.InvalidDeviceName, 'deviceName must be 1–64 printable characters')
  return v
}

export function deviceId(body: Body): string {
  const v = body.deviceId
  if (!isDeviceId(v)) bad(ErrorCode.InvalidDeviceId, 'deviceId must be an Ed25519 libp2p peer id')
  return v
}

export function bytes(
  body: Body,
  field: string,
  code: ErrorCode,
  maxBytes: number,
  exactBytes?: number,
): Uint8Array {
  const v = fromBase64(body[field], maxBytes)
  if (v === undefined || v.byteLength === 0 || (exactBytes !== undefined && v.byteLength !== exactBytes)) {
    bad(code, `${field} must be base64${exactBytes === undefined ? '' : ` of ${exactBytes} bytes`}`)
  }
  return v
}

export const publicKey = (b: Body): Uint8Array =>
  bytes(b, 'devicePublicKey', ErrorCode.InvalidPublicKey, 32, 32)
export const challenge = (b: Body): Uint8Array =>
  bytes(b, 'challenge', ErrorCode.InvalidChallenge, Limits.challengeBytes)
export const proof = (b: Body): Uint8Array => bytes(b, 'proof', ErrorCode.InvalidSignature, 1024)
export const certificate = (b: Body): Uint8Array =>
  bytes(b, 'certificate', ErrorCode.InvalidCertificate, Limits.certificateBytes)
