import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { describe, expect, it } from 'vitest'
import { xchacha } from './xchacha.js'

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const bytes = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i * 7) % 256)

describe('xchacha (XChaCha20-Poly1305 on OpenSSL)', () => {
  it('gives the draft-irtf-cfrg-xchacha A.3.1 vector', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657')
    const aad = hex('50515253c0c1c2c3c4c5c6c7')
    const plaintext = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    )
    const sealed = hex(
      `bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
       731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
       2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
       21f9664c97637da9768812f615c68b13b52e
       c0875924c1c7987947deafd8780acf49`,
    )
    expect(Buffer.from(xchacha(key, nonce, aad).encrypt(plaintext))).toEqual(Buffer.from(sealed))
    expect(Buffer.from(xchacha(key, nonce, aad).decrypt(sealed))).toEqual(Buffer.from(plaintext))
  })

  it("seals and opens exactly as noble's, with and without associated data, at unaligned offsets", () => {
    for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 600, 4097]) {
      // Views one byte into a larger buffer: the word views must not depend on the caller's alignment.
      const key = bytes(33, length).subarray(1)
      const nonce = bytes(25, length + 3).subarray(1)
      const plaintext = bytes(length + 1, 11).subarray(1)
      for (const aad of [undefined, bytes(31, 5).subarray(1)]) {
        const theirs = xchacha20poly1305(key, nonce, aad).encrypt(plaintext)
        const ours = xchacha(key, nonce, aad).encrypt(plaintext)
        expect(Buffer.from(ours)).toEqual(Buffer.from(theirs))
        expect(Buffer.from(xchacha(key, nonce, aad).decrypt(theirs))).toEqual(Buffer.from(plaintext))
      }
    }
  })

  it('refuses altered ciphertext, tag, associated data or a short input', () => {
    const key = bytes(32, 1)
    const nonce = bytes(24, 2)
    const aad = bytes(12, 3)
    const sealed = xchacha(key, nonce, aad).encrypt(bytes(100, 4))
    const flipped = (at: number) => {
      const copy = sealed.slice()
      copy[at]! ^= 1
      return copy
    }
    expect(() => xchacha(key, nonce, aad).decrypt(flipped(0))).toThrow()
    expect(() => xchacha(key, nonce, aad).decrypt(flipped(sealed.byteLength - 1))).toThrow()
    expect(() => xchacha(key, nonce, bytes(12, 4)).decrypt(sealed)).toThrow()
    expect(() => xchacha(key, nonce).decrypt(sealed)).toThrow()
    expect(() => xchacha(key, nonce, aad).decrypt(sealed.subarray(0, 15))).toThrow(RangeError)
    expect(() => xchacha(key.subarray(1), nonce)).toThrow(RangeError)
    expect(() => xchacha(key, nonce.subarray(1))).toThrow(RangeError)
  })
})
