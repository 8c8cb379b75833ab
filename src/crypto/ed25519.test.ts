import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { signerFromSeed, verifyEd25519 } from './ed25519.js'

describe('native Ed25519', () => {
  const seed = ed25519.utils.randomSecretKey()
  const publicKey = ed25519.getPublicKey(seed)
  const data = new TextEncoder().encode('alice is online')

  it('signs the same bytes as the reference implementation', () => {
    expect(signerFromSeed(seed)(data)).toEqual(ed25519.sign(data, seed))
  })

  it('accepts a good signature, again and again (remembered)', () => {
    const sig = signerFromSeed(seed)(data)
    expect(verifyEd25519(sig, data, publicKey)).toBe(true)
    expect(verifyEd25519(sig, data, publicKey)).toBe(true)
  })

  it('refuses a changed message, signature or key even after the good one was remembered', () => {
    const sig = signerFromSeed(seed)(data)
    expect(verifyEd25519(sig, data, publicKey)).toBe(true)
    const otherData = new TextEncoder().encode('alice is offline')
    expect(verifyEd25519(sig, otherData, publicKey)).toBe(false)
    const badSig = sig.slice()
    badSig[10] = (badSig[10] ?? 0) ^ 1
    expect(verifyEd25519(badSig, data, publicKey)).toBe(false)
    const otherKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey())
    expect(verifyEd25519(sig, data, otherKey)).toBe(false)
  })

  it('says false, never throws, for malformed keys and signatures', () => {
    const sig = signerFromSeed(seed)(data)
    expect(verifyEd25519(sig.subarray(0, 63), data, publicKey)).toBe(false)
    expect(verifyEd25519(sig, data, publicKey.subarray(0, 31))).toBe(false)
    expect(verifyEd25519(sig, data, new Uint8Array(32).fill(0xff))).toBe(false)
    // A signature whose S is not reduced mod L (S + L) must not pass: no malleability.
    const L = (1n << 252n) + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i] ?? 0)
    let t = s + L
    const forged = sig.slice()
    for (let i = 0; i < 32; i++) {
      forged[32 + i] = Number(t & 0xffn)
      t >>= 8n
    }
    expect(verifyEd25519(forged, data, publicKey)).toBe(false)
  })
})
