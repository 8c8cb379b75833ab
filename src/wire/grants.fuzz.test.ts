/**
 * Fuzzing the supernode grant list: whatever the bytes, its decoder throws
 * only WireDecodeError, its verifier only TrustError, nothing hangs, and an
 * altered list never verifies with other content (a name added or removed).
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { open, PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { TrustError } from '../trust/errors.js'
import { signSupernodeGrantList, verifySupernodeGrantList } from '../trust/grants.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  mutated,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { decodeSupernodeGrantListBody, encodeSupernodeGrantListBody } from './grants.js'
import { Limits } from './limits.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const RESIGN_RUNS = 1_000
const NETWORK = 'parley-fuzz'
const T0 = 1_700_000_000_000

const names = ['alice', 'bob.b', 'carol_c-1', 'dave', 'operator', 'zz9']
const fields = (n: number) => ({
  networkId: NETWORK,
  sequence: n + 1,
  issuedAt: T0 + n,
  grants: names.slice(0, n).map((username, i) => ({ username, grantedAt: T0 - i * 1000 })),
})

let networkKey: Signer
let bodies: Uint8Array[] = []
let signed: Uint8Array[] = []

beforeAll(async () => {
  networkKey = signerOf(await generateKey())
  bodies = [0, 1, 3, 6].map((n) => encodeSupernodeGrantListBody(fields(n)))
  signed = [0, 1, 3, 6].map((n) => signSupernodeGrantList(fields(n), networkKey))
})

const opts = () => ({ networkPublicKey: networkKey.publicKey, networkId: NETWORK })

describe('fuzz corpus', () => {
  it('starts from lists that decode and verify', () => {
    expect(() => {
      bodies.forEach((b) => decodeSupernodeGrantListBody(b))
      signed.forEach((b) => verifySupernodeGrantList(b, opts()))
    }).not.toThrow()
  })
})

describe('the grant list decoder takes any bytes', () => {
  it('decodeSupernodeGrantListBody throws only WireDecodeError', () => {
    fc.assert(
      fc.property(decoderInputs(Limits.supernodeGrantListBytes, bodies), (bytes) => {
        decodesOrRefuses(decodeSupernodeGrantListBody, bytes)
      }),
      { numRuns: DECODER_RUNS },
    )
  })
})

describe('the grant list verifier', () => {
  it('throws only TrustError and never accepts altered content', () => {
    fc.assert(
      fc.property(mutated(signed, 2), ({ original, bytes }) => {
        const list = verifiesOrRefuses([TrustError], bytes, () => verifySupernodeGrantList(bytes, opts()))
        if (list !== undefined)
          assertSameContent('supernode grant list', list, verifySupernodeGrantList(original, opts()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  it('refuses validly signed garbage with TrustError only, and accepts only what decodes', () => {
    const payloads = signed.map((s) => open(s, PayloadType.SupernodeGrants, networkKey.publicKey))
    fc.assert(
      fc.property(mutated(payloads, 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.SupernodeGrants, body, networkKey)
        const list = verifiesOrRefuses([TrustError], bytes, () => verifySupernodeGrantList(bytes, opts()))
        if (list !== undefined)
          assertSameContent('supernode grant list', list, decodeSupernodeGrantListBody(body))
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('refuses another kind of document, another key and another network', async () => {
    const other = signerOf(await generateKey())
    const list = signed[2]!
    const code = (run: () => unknown) => {
      try {
        run()
      } catch (err) {
        return (err as TrustError).code
      }
      return 'accepted'
    }
    expect(code(() => verifySupernodeGrantList(signSupernodeGrantList(fields(2), other), opts()))).toBe(
      'unknown_signer',
    )
    expect(code(() => verifySupernodeGrantList(list, { ...opts(), networkId: 'elsewhere' }))).toBe(
      'wrong_network',
    )
    const asRevocations = seal(PayloadType.Revocations, bodies[2]!, networkKey)
    expect(code(() => verifySupernodeGrantList(asRevocations, opts()))).toBe('wrong_payload_type')
    expect(verifySupernodeGrantList(list, opts()).has('bob.b')).toBe(true)
    expect(verifySupernodeGrantList(list, opts()).has('dave')).toBe(false)
  })
})
