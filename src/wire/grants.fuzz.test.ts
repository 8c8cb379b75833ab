/**
 * Fuzzing the supernode grant lists (v1, and v2 with seats): whatever the
 * bytes, their decoders throw only WireDecodeError, the verifier only
 * TrustError, nothing hangs, and an altered list never verifies with other
 * content (a name added or removed, a seat or places changed).
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { open, PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { TrustError } from '../trust/errors.js'
import {
  signSupernodeGrantList,
  signSupernodeGrantListV2,
  verifySupernodeGrantList,
} from '../trust/grants.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  mutated,
  verifiesOrRefuses,
} from './fuzz-support.js'
import {
  decodeSupernodeGrantListBody,
  decodeSupernodeGrantListV2Body,
  encodeSupernodeGrantListBody,
  encodeSupernodeGrantListV2Body,
} from './grants.js'
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
          assertSameContent('supernode grant list', list, {
            ...decodeSupernodeGrantListBody(body),
            version: 1,
          })
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

describe('the v2 grant list (seats)', () => {
  const fieldsV2 = (n: number) => ({
    ...fields(n),
    grants: fields(n).grants.map((g, i) => ({
      ...g,
      seat: Uint8Array.from({ length: Limits.seatBytes }, (_, j) => (i * 31 + j) & 0xff),
      places: 1 + i * 7,
    })),
  })
  let bodiesV2: Uint8Array[] = []
  let signedV2: Uint8Array[] = []

  beforeAll(() => {
    bodiesV2 = [0, 1, 3, 6].map((n) => encodeSupernodeGrantListV2Body(fieldsV2(n)))
    signedV2 = [0, 1, 3, 6].map((n) => signSupernodeGrantListV2(fieldsV2(n), networkKey))
    bodiesV2.forEach((b) => decodeSupernodeGrantListV2Body(b))
    signedV2.forEach((b) => expect(verifySupernodeGrantList(b, opts()).version).toBe(2))
  })

  it('decodeSupernodeGrantListV2Body throws only WireDecodeError', () => {
    fc.assert(
      fc.property(decoderInputs(Limits.supernodeGrantListV2Bytes, bodiesV2), (bytes) => {
        decodesOrRefuses(decodeSupernodeGrantListV2Body, bytes)
      }),
      { numRuns: DECODER_RUNS },
    )
  })

  it('the verifier throws only TrustError and never accepts altered content (a seat or places changed)', () => {
    fc.assert(
      fc.property(mutated(signedV2, 2), ({ original, bytes }) => {
        const list = verifiesOrRefuses([TrustError], bytes, () => verifySupernodeGrantList(bytes, opts()))
        if (list !== undefined)
          assertSameContent('supernode grant list', list, verifySupernodeGrantList(original, opts()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  it('refuses validly signed garbage with TrustError only, and accepts only what decodes', () => {
    const payloads = signedV2.map((s) => open(s, PayloadType.SupernodeGrantsV2, networkKey.publicKey))
    fc.assert(
      fc.property(mutated(payloads, 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.SupernodeGrantsV2, body, networkKey)
        const list = verifiesOrRefuses([TrustError], bytes, () => verifySupernodeGrantList(bytes, opts()))
        if (list !== undefined)
          assertSameContent('supernode grant list', list, {
            ...decodeSupernodeGrantListV2Body(body),
            version: 2,
          })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('reads seats only from a v2 list, and refuses a body under the other version’s type', async () => {
    const code = (run: () => unknown) => {
      try {
        run()
      } catch (err) {
        return (err as TrustError).code
      }
      return 'accepted'
    }
    const list = verifySupernodeGrantList(signedV2[2]!, opts())
    expect(list.seatOf('bob.b')).toEqual({ seat: fieldsV2(3).grants[1]!.seat, places: 8 })
    expect(list.seatOf('dave')).toBeUndefined()
    expect(list.has('bob.b')).toBe(true)
    expect(verifySupernodeGrantList(signed[2]!, opts()).seatOf('bob.b')).toBeUndefined()
    expect(
      code(() =>
        verifySupernodeGrantList(seal(PayloadType.SupernodeGrants, bodiesV2[2]!, networkKey), opts()),
      ),
    ).toBe('malformed')
    expect(
      code(() =>
        verifySupernodeGrantList(seal(PayloadType.SupernodeGrantsV2, bodies[2]!, networkKey), opts()),
      ),
    ).toBe('invalid_field')
    const other = signerOf(await generateKey())
    expect(code(() => verifySupernodeGrantList(signSupernodeGrantListV2(fieldsV2(2), other), opts()))).toBe(
      'unknown_signer',
    )
    expect(code(() => verifySupernodeGrantList(signedV2[2]!, { ...opts(), networkId: 'elsewhere' }))).toBe(
      'wrong_network',
    )
  })
})
