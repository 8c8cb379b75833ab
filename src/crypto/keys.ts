/**
 * Ed25519 keys: the network key (signs certificates, config, revocations) and
 * device keys (a device's libp2p identity). Key files hold the libp2p protobuf
 * encoding so the device key is the libp2p host's own key, unchanged.
 */
import {
  generateKeyPair,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
  publicKeyFromRaw,
} from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { createHash } from 'node:crypto'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { signerFromSeed, verifyEd25519 } from './ed25519.js'

/** Signs with one Ed25519 key. `publicKey` is the raw 32-byte key. */
export interface Signer {
  readonly publicKey: Uint8Array
  sign(data: Uint8Array): Uint8Array
}

export class KeyFormatError extends Error {
  override name = 'KeyFormatError'
}

/** First 8 bytes of SHA-256 over the raw public key. */
export function keyId(publicKey: Uint8Array): Uint8Array {
  // Node's SHA-256, not noble's: checked for every signed document, so it is worth the native code.
  return new Uint8Array(createHash('sha256').update(publicKey).digest().subarray(0, 8))
}

export async function generateKey(): Promise<Ed25519PrivateKey> {
  return generateKeyPair('Ed25519')
}

export function encodeKey(key: Ed25519PrivateKey): Uint8Array {
  return privateKeyToProtobuf(key)
}

export function decodeKey(bytes: Uint8Array): Ed25519PrivateKey {
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch {
    throw new KeyFormatError('the key file is not a libp2p private key')
  }
  if (key.type !== 'Ed25519') throw new KeyFormatError(`the key is ${key.type}, not Ed25519`)
  return key
}

export function signerOf(key: Ed25519PrivateKey): Signer {
  // libp2p's raw Ed25519 private key is seed ‖ public key; Ed25519 signs with the seed.
  const seed = key.raw.subarray(0, 32)
  const publicKey = key.publicKey.raw
  return { publicKey, sign: signerFromSeed(seed) }
}

/** Verifies an Ed25519 signature; false (never a throw) for malformed keys or signatures. */
export function verifySignature(signature: Uint8Array, data: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyEd25519(signature, data, publicKey)
}

/** The device id: the libp2p peer id string of a raw Ed25519 public key. */
export function deviceIdOf(publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey) as never).toString()
}

/** True when `id` is a well-formed Ed25519 peer id. */
export function isDeviceId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length > 128) return false
  try {
    return peerIdFromString(id).type === 'Ed25519'
  } catch {
    return false
  }
}
