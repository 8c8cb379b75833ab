/**
 * XChaCha20-Poly1305 through Node's OpenSSL, for sealing offline items:
 * noble's pure-JS cipher was about a fifth of sealing an item (bench:chat's
 * offline rows, issue 12 §2), OpenSSL's ChaCha20-Poly1305 a few µs.
 *
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha §2) is the IETF
 * ChaCha20-Poly1305 of RFC 8439 under the subkey HChaCha20(key, nonce[0..16])
 * with the nonce 0⁴ ‖ nonce[16..24], so the bytes are noble's (tested against
 * it): items sealed by either open with the other. HChaCha20 itself is
 * noble's, one block and no allocation beyond the subkey.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { endianness } from 'node:os'
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js'

const TAG_BYTES = 16
/** "expand 32-byte k" as little-endian words (RFC 8439 §2.3). */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])
/** The word views below read bytes in host order: a big-endian host keeps noble's whole cipher. */
const native = endianness() === 'LE'

export interface Aead {
  encrypt(plaintext: Uint8Array): Uint8Array
  /** Throws when the tag does not verify. */
  decrypt(sealed: Uint8Array): Uint8Array
}

/** XChaCha20-Poly1305 with a 32-byte key and a 24-byte nonce; output is ciphertext ‖ tag, as noble's. */
export function xchacha(key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array): Aead {
  if (key.byteLength !== 32) throw new RangeError('an XChaCha20 key is 32 bytes')
  if (nonce.byteLength !== 24) throw new RangeError('an XChaCha20 nonce is 24 bytes')
  if (!native) return xchacha20poly1305(key, nonce, aad)
  const subkey = subkeyOf(key, nonce)
  const iv = Buffer.alloc(12)
  iv.set(nonce.subarray(16), 4)
  return {
    encrypt(plaintext) {
      const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG_BYTES })
      if (aad !== undefined) cipher.setAAD(aad, { plaintextLength: plaintext.byteLength })
      const out = new Uint8Array(plaintext.byteLength + TAG_BYTES)
      const body = cipher.update(plaintext)
      out.set(body)
      const tail = cipher.final()
      out.set(tail, body.byteLength)
      out.set(cipher.getAuthTag(), body.byteLength + tail.byteLength)
      return out
    },
    decrypt(sealed) {
      if (sealed.byteLength < TAG_BYTES) throw new RangeError('the sealed bytes are shorter than a tag')
      const length = sealed.byteLength - TAG_BYTES
      const decipher = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: TAG_BYTES })
      decipher.setAuthTag(sealed.subarray(length))
      if (aad !== undefined) decipher.setAAD(aad, { plaintextLength: length })
      const body = decipher.update(sealed.subarray(0, length))
      // final() throws when the tag does not verify.
      const tail = decipher.final()
      const out = new Uint8Array(length)
      out.set(body)
      out.set(tail, body.byteLength)
      return out
    },
  }
}

function subkeyOf(key: Uint8Array, nonce: Uint8Array): Buffer {
  // Copies, so the word views are aligned whatever the caller's offsets.
  const k = new Uint32Array(8)
  new Uint8Array(k.buffer).set(key)
  const n = new Uint32Array(4)
  new Uint8Array(n.buffer).set(nonce.subarray(0, 16))
  const out = new Uint32Array(8)
  hchacha(SIGMA, k, n, out)
  k.fill(0)
  return Buffer.from(out.buffer)
}
