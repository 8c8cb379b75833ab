import { describe, expect, it } from 'vitest'
import { TrustError } from './errors.js'
import { checkNetworkKey, networkKeyFingerprint } from './network-key.js'

const ZERO_KEY = new Uint8Array(32)
// sha256(32 zero bytes), base64 as node:crypto gives it, padding dropped.
const ZERO_PRINT = 'SHA256:Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU'

describe('network key fingerprint', () => {
  it('is SHA256: and the unpadded base64 of the SHA-256 of the raw key', () => {
    expect(networkKeyFingerprint(ZERO_KEY)).toBe(ZERO_PRINT)
  })

  it('accepts the fingerprint with or without its SHA256: prefix, and around spaces', () => {
    expect(() => checkNetworkKey(ZERO_KEY, ZERO_PRINT)).not.toThrow()
    expect(() => checkNetworkKey(ZERO_KEY, ` ${ZERO_PRINT.slice(7)}\n`)).not.toThrow()
  })

  it('refuses another key with unknown_signer, naming both', () => {
    const other = new Uint8Array(32).fill(1)
    let err: unknown
    try {
      checkNetworkKey(other, ZERO_PRINT)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TrustError)
    expect((err as TrustError).code).toBe('unknown_signer')
    expect((err as TrustError).message).toContain(networkKeyFingerprint(other))
    expect((err as TrustError).message).toContain(ZERO_PRINT)
  })
})
