/** The codec's round trips, the validation rules of every document, and the size caps. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CertificateBody,
  decodeCertificateBody,
  decodeEnvelope,
  decodeNetworkConfigBody,
  decodeRevocationListBody,
  decodeSignInProof,
  NetworkConfigBody,
  RevocationListBody,
  SignedEnvelope,
  SignInProof,
} from './codec.js'
import {
  certificate,
  envelope,
  networkConfig,
  revocationList,
  signInProof,
  withCertificate,
  withConfig,
  withEnvelope,
  withPolicies,
  withProof,
  withRevocations,
} from './codec.fixtures.js'
import { expectRefused, padTo, refusal, TOO_BIG } from './fuzz-support.js'
import { Limits } from './limits.js'

describe('round trips', () => {
  it('decodes a signed envelope to what was encoded', () => {
    expect(decodeEnvelope(SignedEnvelope.encode(envelope))).toEqual(envelope)
  })

  it('decodes a certificate body to what was encoded, times as numbers', () => {
    expect(decodeCertificateBody(CertificateBody.encode(certificate))).toEqual({
      ...certificate,
      notBefore: 1_700_000_000_000,
      notAfter: 1_700_086_400_000,
    })
  })

  it('decodes a network config body to what was encoded', () => {
    expect(decodeNetworkConfigBody(NetworkConfigBody.encode(networkConfig))).toEqual({
      ...networkConfig,
      sequence: 3,
      issuedAt: 1_700_000_000_000,
    })
  })

  it('decodes a revocation list body to what was encoded', () => {
    expect(decodeRevocationListBody(RevocationListBody.encode(revocationList))).toEqual({
      networkId: 'parley-test',
      sequence: 5,
      issuedAt: 1_700_000_000_000,
      revocations: [
        { deviceId: '12D3KooWone', revokedAt: 1_699_000_000_000 },
        { deviceId: '12D3KooWtwo', revokedAt: 1_699_500_000_000 },
      ],
    })
  })

  it('decodes a sign-in proof to what was encoded', () => {
    expect(decodeSignInProof(SignInProof.encode(signInProof))).toEqual(signInProof)
  })

  it('round-trips any valid certificate', () => {
    const times = fc
      .tuple(fc.nat({ max: Number.MAX_SAFE_INTEGER - 1 }), fc.nat({ max: Number.MAX_SAFE_INTEGER - 1 }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
    const fields = fc.record({
      networkId: fc.string({ minLength: 1, maxLength: Limits.networkIdChars }),
      serial: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
      username: fc.stringMatching(/^[a-z0-9._-]{3,32}$/),
      devicePublicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      deviceName: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ]{0,62}[A-Za-z0-9]$/),
      policy: fc.record({ maySupernode: fc.boolean(), mayRelay: fc.boolean(), maySendFiles: fc.boolean() }),
      organisation: fc.string({ maxLength: Limits.stringChars }),
    })
    fc.assert(
      fc.property(fields, times, (f, [notBefore, notAfter]) => {
        const bytes = CertificateBody.encode({
          ...f,
          devicePublicKey: new Uint8Array(f.devicePublicKey),
          notBefore: BigInt(notBefore),
          notAfter: BigInt(notAfter),
        })
        expect(decodeCertificateBody(bytes)).toEqual({ ...f, notBefore, notAfter })
      }),
      { numRuns: 300 },
    )
  })
})

describe('signed envelope rules', () => {
  it.each<[string, Partial<SignedEnvelope>, string]>([
    ['no payload type', { payloadType: '' }, 'payloadType'],
    ['a payload type over 64 characters', { payloadType: 'p'.repeat(65) }, 'payloadType'],
    ['a 7-byte key id', { keyId: new Uint8Array(7) }, 'keyId'],
    ['a 9-byte key id', { keyId: new Uint8Array(9) }, 'keyId'],
    ['no key id', { keyId: new Uint8Array(0) }, 'keyId'],
    ['a 63-byte signature', { signature: new Uint8Array(63) }, 'signature'],
    ['a 65-byte signature', { signature: new Uint8Array(65) }, 'signature'],
    ['an empty payload', { payload: new Uint8Array(0) }, 'payload'],
  ])('refuses an envelope with %s', (_what, over, field) => {
    expectRefused(() => decodeEnvelope(withEnvelope(over)), 'invalid_field', field)
  })

  it('accepts a payload type of exactly 64 characters', () => {
    expect(decodeEnvelope(withEnvelope({ payloadType: 'p'.repeat(64) })).payloadType).toHaveLength(64)
  })
})

describe('certificate rules', () => {
  it.each<[string, Partial<CertificateBody>, string]>([
    ['no network id', { networkId: '' }, 'networkId'],
    ['a network id over 64 characters', { networkId: 'n'.repeat(65) }, 'networkId'],
    ['serial 0 (missing)', { serial: 0n }, 'serial'],
    ['a two-letter username', { username: 'al' }, 'username'],
    ['an upper-case username', { username: 'Alice' }, 'username'],
    ['a 31-byte device key', { devicePublicKey: new Uint8Array(31) }, 'devicePublicKey'],
    ['a 33-byte device key', { devicePublicKey: new Uint8Array(33) }, 'devicePublicKey'],
    ['no device name', { deviceName: '' }, 'deviceName'],
    ['a device name with a leading space', { deviceName: ' phone' }, 'deviceName'],
    ['a device name with a newline', { deviceName: 'my\nphone' }, 'deviceName'],
    ['a device name over 64 characters', { deviceName: 'd'.repeat(65) }, 'deviceName'],
    ['no policy', { policy: undefined }, 'policy'],
    ['an organisation over 256 characters', { organisation: 'o'.repeat(257) }, 'organisation'],
    ['a not-before past 2^53', { notBefore: TOO_BIG, notAfter: TOO_BIG + 1n }, 'notBefore'],
    ['a not-after past 2^53', { notAfter: TOO_BIG }, 'notAfter'],
    ['not-after equal to not-before', { notAfter: certificate.notBefore }, 'notAfter'],
    ['not-after before not-before', { notAfter: certificate.notBefore - 1n }, 'notAfter'],
  ])('refuses a certificate with %s', (_what, over, field) => {
    expectRefused(() => decodeCertificateBody(withCertificate(over)), 'invalid_field', field)
  })

  it('accepts the widest limits: 64-character network id, 256-character organisation, 2^53 − 1 times', () => {
    const bytes = withCertificate({
      networkId: 'n'.repeat(64),
      organisation: 'o'.repeat(256),
      notBefore: 0n,
      notAfter: 2n ** 53n - 1n,
    })
    expect(decodeCertificateBody(bytes).notAfter).toBe(Number.MAX_SAFE_INTEGER)
  })
})

describe('network config rules', () => {
  const seed = networkConfig.seeds[0]!
  it.each<[string, Uint8Array, string]>([
    ['no network id', withConfig({ networkId: '' }), 'networkId'],
    ['a network id over 64 characters', withConfig({ networkId: 'n'.repeat(65) }), 'networkId'],
    ['a 31-byte network key', withConfig({ networkPublicKey: new Uint8Array(31) }), 'networkPublicKey'],
    ['sequence 0 (missing)', withConfig({ sequence: 0n }), 'sequence'],
    ['a sequence past 2^53', withConfig({ sequence: TOO_BIG }), 'sequence'],
    ['an issued-at past 2^53', withConfig({ issuedAt: TOO_BIG }), 'issuedAt'],
    ['a seed without a peer id', withConfig({ seeds: [seed, { ...seed, peerId: '' }] }), 'seeds[1].peerId'],
    [
      'a seed peer id over 128 characters',
      withConfig({ seeds: [{ ...seed, peerId: 'p'.repeat(129) }] }),
      'seeds[0].peerId',
    ],
    ['an empty seed address', withConfig({ seeds: [{ ...seed, addrs: [''] }] }), 'seeds[0].addrs'],
    [
      'a seed address over 512 characters',
      withConfig({ seeds: [{ ...seed, addrs: ['a'.repeat(513)] }] }),
      'seeds[0].addrs',
    ],
    [
      'a minimum client version that is not a version',
      withConfig({ minClientVersion: 'v1' }),
      'minClientVersion',
    ],
    ['no policies', withConfig({ policies: undefined }), 'policies'],
    [
      'no certificate validity',
      withPolicies({ certificateValiditySeconds: 0 }),
      'policies.certificateValiditySeconds',
    ],
    [
      'no default device policy',
      withPolicies({ defaultDevicePolicy: undefined }),
      'policies.defaultDevicePolicy',
    ],
    [
      'a banned version that is not a version',
      withPolicies({ supernodeBannedVersions: ['1.0', 'beta'] }),
      'policies.supernodeBannedVersions',
    ],
  ])('refuses a network config with %s', (_what, bytes, field) => {
    expectRefused(() => decodeNetworkConfigBody(bytes), 'invalid_field', field)
  })

  it('accepts a config with no minimum client version', () => {
    expect(decodeNetworkConfigBody(withConfig({ minClientVersion: '' })).minClientVersion).toBe('')
  })
})

describe('revocation list rules', () => {
  const entry = revocationList.revocations[0]!
  it.each<[string, Partial<RevocationListBody>, string]>([
    ['no network id', { networkId: '' }, 'networkId'],
    ['a network id over 64 characters', { networkId: 'n'.repeat(65) }, 'networkId'],
    [
      'an entry without a device id',
      { revocations: [entry, { ...entry, deviceId: '' }] },
      'revocations[1].deviceId',
    ],
    [
      'a device id over 128 characters',
      { revocations: [{ ...entry, deviceId: 'd'.repeat(129) }] },
      'revocations[0].deviceId',
    ],
    [
      'a revocation time past 2^53',
      { revocations: [{ ...entry, revokedAt: TOO_BIG }] },
      'revocations[0].revokedAt',
    ],
    ['a sequence past 2^53', { sequence: TOO_BIG }, 'sequence'],
    ['an issued-at past 2^53', { issuedAt: TOO_BIG }, 'issuedAt'],
  ])('refuses a revocation list with %s', (_what, over, field) => {
    expectRefused(() => decodeRevocationListBody(withRevocations(over)), 'invalid_field', field)
  })

  it('accepts an empty list', () => {
    expect(decodeRevocationListBody(withRevocations({ revocations: [] })).revocations).toEqual([])
  })
})

describe('sign-in proof rules', () => {
  it.each<[string, Partial<SignInProof>, string]>([
    ['no network id', { networkId: '' }, 'networkId'],
    ['no challenge', { challenge: new Uint8Array(0) }, 'challenge'],
    ['a challenge over 64 bytes', { challenge: new Uint8Array(65) }, 'challenge'],
    ['an invalid username', { username: 'no spaces' }, 'username'],
    ['a 31-byte device key', { devicePublicKey: new Uint8Array(31) }, 'devicePublicKey'],
  ])('refuses a sign-in proof with %s', (_what, over, field) => {
    expectRefused(() => decodeSignInProof(withProof(over)), 'invalid_field', field)
  })

  it('accepts a 64-byte challenge', () => {
    expect(decodeSignInProof(withProof({ challenge: new Uint8Array(64) })).challenge).toHaveLength(64)
  })
})

describe('size caps', () => {
  it.each<[string, (bytes: Uint8Array) => unknown, Uint8Array, number]>([
    ['signed envelope', decodeEnvelope, SignedEnvelope.encode(envelope), Limits.envelopeBytes],
    ['certificate', decodeCertificateBody, CertificateBody.encode(certificate), Limits.certificateBytes],
    [
      'network config',
      decodeNetworkConfigBody,
      NetworkConfigBody.encode(networkConfig),
      Limits.networkConfigBytes,
    ],
    [
      'revocation list',
      decodeRevocationListBody,
      RevocationListBody.encode(revocationList),
      Limits.revocationListBytes,
    ],
    ['sign-in proof', decodeSignInProof, SignInProof.encode(signInProof), Limits.signInProofBytes],
  ])('reads a %s of exactly the cap and refuses one byte more as too_large', (_what, decode, valid, cap) => {
    // At the cap the size check lets it through (the canonical-form check then refuses the padding).
    expect(refusal(() => decode(padTo(valid, cap))).message).toMatch(/not canonically encoded/)
    expectRefused(() => decode(padTo(valid, cap + 1)), 'too_large')
  })

  it('applies the cap a caller passes for an envelope', () => {
    const bytes = SignedEnvelope.encode(envelope)
    expect(decodeEnvelope(bytes, bytes.byteLength).payloadType).toBe(envelope.payloadType)
    expectRefused(() => decodeEnvelope(bytes, bytes.byteLength - 1), 'too_large')
  })

  it(`reads ${Limits.seeds} seeds and refuses one more`, () => {
    const seeds = (n: number) => Array.from({ length: n }, (_, i) => ({ peerId: `seed${i}`, addrs: [] }))
    expect(decodeNetworkConfigBody(withConfig({ seeds: seeds(Limits.seeds) })).seeds).toHaveLength(
      Limits.seeds,
    )
    expectRefused(() => decodeNetworkConfigBody(withConfig({ seeds: seeds(Limits.seeds + 1) })), 'malformed')
  })

  it(`reads ${Limits.addrsPerSeed} addresses per seed and refuses one more`, () => {
    const addrs = (n: number) => [
      { peerId: 'seed', addrs: Array.from({ length: n }, (_, i) => `/dns/s${i}`) },
    ]
    const ok = decodeNetworkConfigBody(withConfig({ seeds: addrs(Limits.addrsPerSeed) }))
    expect(ok.seeds[0]?.addrs).toHaveLength(Limits.addrsPerSeed)
    expectRefused(
      () => decodeNetworkConfigBody(withConfig({ seeds: addrs(Limits.addrsPerSeed + 1) })),
      'malformed',
    )
  })

  it(`reads ${Limits.bannedVersions} banned versions and refuses one more`, () => {
    const versions = (n: number) => Array.from({ length: n }, (_, i) => `1.${i}`)
    const ok = decodeNetworkConfigBody(
      withPolicies({ supernodeBannedVersions: versions(Limits.bannedVersions) }),
    )
    expect(ok.policies.supernodeBannedVersions).toHaveLength(Limits.bannedVersions)
    const over = withPolicies({ supernodeBannedVersions: versions(Limits.bannedVersions + 1) })
    expectRefused(() => decodeNetworkConfigBody(over), 'malformed')
  })

  it(`reads ${Limits.revocations} revocations and refuses one more`, () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ deviceId: `d${i}`, revokedAt: 1n }))
    const ok = decodeRevocationListBody(withRevocations({ revocations: entries(Limits.revocations) }))
    expect(ok.revocations).toHaveLength(Limits.revocations)
    const over = withRevocations({ revocations: entries(Limits.revocations + 1) })
    expectRefused(() => decodeRevocationListBody(over), 'malformed')
  })
})
