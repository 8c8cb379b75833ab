/**
 * The network key's fingerprint: what an operator publishes and a user
 * compares, so that the first sign-in does not have to trust whatever key the
 * first answer names. Written like OpenSSH's: "SHA256:" and the unpadded
 * base64 of the SHA-256 of the raw 32-byte Ed25519 public key.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { ErrorCode } from '../wire/error-codes.js'
import { TrustError } from './errors.js'

const PREFIX = 'SHA256:'

export function networkKeyFingerprint(publicKey: Uint8Array): string {
  return PREFIX + Buffer.from(sha256(publicKey)).toString('base64').replace(/=+$/, '')
}

/** Throws unless `publicKey` is the key the user named by its fingerprint (the "SHA256:" may be left out). */
export function checkNetworkKey(publicKey: Uint8Array, expected: string): void {
  const actual = networkKeyFingerprint(publicKey)
  const given = expected.trim()
  if (given === actual || PREFIX + given === actual) return
  throw new TrustError(
    ErrorCode.UnknownSigner,
    `the authority's network key is ${actual}, not the ${given} you gave: this may not be your network; nothing was saved`,
  )
}
