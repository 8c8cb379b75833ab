/**
 * X25519 through Node's OpenSSL, for sealing offline items: pure-JS noble
 * took 1.6 ms to seal one item here, nearly all of it in its two curve
 * multiplications (bench:chat, issue 12). The same RFC 7748 function, so the
 * bytes are noble's: items sealed by either open with the other.
 *
 * The Ed25519 → X25519 conversions stay noble's (OpenSSL has none), but are
 * done once per key: a device seals to the same few devices again and
 * again, and opens with its own key every time.
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { LRUCache } from 'lru-cache'

/**
 * Keys go in and out as JWK: OpenSSL's DER decoder took 0.4 ms a private key
 * here, JWK 0.04 ms. A private JWK must carry `x`; Node 20 derives the public
 * key from `d` (what the sealing test vectors check), so a placeholder will do
 * there. Node 24 checks `x` against `d` and refuses the placeholder ("Invalid
 * JWK OKP key"): there the key goes in as PKCS#8 DER, found once, at the first key.
 */
const NO_X = Buffer.alloc(32).toString('base64url')
/** PKCS#8 PrivateKeyInfo for X25519 (RFC 8410) up to the 32 key bytes. */
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex')
let jwkWithoutX: boolean | undefined

const publicKeys = new LRUCache<string, KeyObject>({ max: 1024 })
const montgomery = new LRUCache<string, Uint8Array>({ max: 1024 })
/** Keyed by the seed array itself: nothing secret is kept once the device lets go of its seed. */
const ownKeys = new WeakMap<Uint8Array, { privateKey: KeyObject; publicKey: Uint8Array }>()

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64')

function privateKeyOf(secret: Uint8Array): KeyObject {
  const bytes = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
  if (jwkWithoutX !== false) {
    try {
      const key = createPrivateKey({
        key: { kty: 'OKP', crv: 'X25519', d: bytes.toString('base64url'), x: NO_X },
        format: 'jwk',
      })
      jwkWithoutX = true
      return key
    } catch (err) {
      if (jwkWithoutX === true || secret.byteLength !== 32) throw err
      jwkWithoutX = false
    }
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, bytes]), format: 'der', type: 'pkcs8' })
}

function publicKeyOf(raw: Uint8Array): KeyObject {
  const id = b64(raw)
  let key = publicKeys.get(id)
  if (key === undefined) {
    const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' })
    publicKeys.set(id, key)
  }
  return key
}

function rawPublic(key: KeyObject): Uint8Array {
  const { x } = createPublicKey(key).export({ format: 'jwk' })
  return new Uint8Array(Buffer.from(x ?? '', 'base64url'))
}

/** The X25519 key pair of a 32-byte secret (clamped as RFC 7748 says). */
export function x25519KeyPair(secret: Uint8Array): { privateKey: KeyObject; publicKey: Uint8Array } {
  const privateKey = privateKeyOf(secret)
  return { privateKey, publicKey: rawPublic(privateKey) }
}

/**
 * X25519(secret, publicKey). Throws for a low-order public key (an all-zero
 * result) and for a key of the wrong length, as noble does.
 */
export function x25519Shared(privateKey: KeyObject, publicKey: Uint8Array): Uint8Array {
  if (publicKey.byteLength !== 32) throw new RangeError('an X25519 public key is 32 bytes')
  return new Uint8Array(diffieHellman({ privateKey, publicKey: publicKeyOf(publicKey) }))
}

/** An Ed25519 public key in Montgomery form (throws when it is not a point). */
export function montgomeryOf(edPublicKey: Uint8Array): Uint8Array {
  const id = b64(edPublicKey)
  let u = montgomery.get(id)
  if (u === undefined) {
    u = ed25519.utils.toMontgomery(edPublicKey)
    montgomery.set(id, u)
  }
  return u
}

/** A device's own X25519 key pair from its Ed25519 seed. */
export function ownX25519(seed: Uint8Array): { privateKey: KeyObject; publicKey: Uint8Array } {
  let own = ownKeys.get(seed)
  if (own === undefined) {
    own = x25519KeyPair(ed25519.utils.toMontgomerySecret(seed))
    ownKeys.set(seed, own)
  }
  return own
}
