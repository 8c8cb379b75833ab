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
  WireDecodeError,
  type WireErrorCode,
} from './codec.js'
import { Limits } from './limits.js'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const TOO_BIG = 2n ** 53n // first integer a JS number cannot hold exactly

function refusal(decode: () => unknown): WireDecodeError {
  try {
    decode()
  } catch (err) {
    if (err instanceof WireDecodeError) return err
    throw new Error(`expected a WireDecodeError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected the decoder to refuse the input, but it returned a value')
}

function expectRefused(decode: () => unknown, code: WireErrorCode, field?: string): void {
  const err = refusal(decode)
  expect({ code: err.code, field: err.field }).toEqual({ code, field })
}

function varint(n: number): number[] {
  const out: number[] = []
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return out
}

/** Appends unknown fields (number 15) until `bytes` is exactly `size` long; protobuf decoders skip them. */
function padTo(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size)
  out.set(bytes)
  let at = bytes.byteLength
  while (at < size) {
    const rest = size - at
    const fill = [1, 2, 3].map((k) => rest - 1 - k).find((n) => n >= 0 && varint(n).length === rest - 1 - n)
    if (fill === undefined) {
      out.set([0x78, 0x00], at) // field 15, varint 0: shifts the remainder off a varint boundary
      at += 2
    } else {
      out.set([0x7a, ...varint(fill)], at) // field 15, length-delimited, `fill` zero bytes
      at = size
    }
  }
  return out
}

const policy = { maySupernode: false, mayRelay: true, maySendFiles: true }

const certificate: CertificateBody = {
  networkId: 'parley-test',
  serial: 42n,
  username: 'alice',
  devicePublicKey: new Uint8Array(32).fill(7),
  deviceName: 'Alice phone',
  policy,
  organisation: 'Acme',
  notBefore: 1_700_000_000_000n,
  notAfter: 1_700_086_400_000n,
}

const networkConfig: NetworkConfigBody = {
  networkId: 'parley-test',
  networkPublicKey: new Uint8Array(32).fill(9),
  sequence: 3n,
  issuedAt: 1_700_000_000_000n,
  seeds: [{ peerId: '12D3KooWseed', addrs: ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'] }],
  minClientVersion: '1.2.0',
  policies: {
    certificateValiditySeconds: 86_400,
    defaultDevicePolicy: policy,
    supernodeBannedVersions: ['1.0.0', '1.1.3'],
  },
}

const revocationList: RevocationListBody = {
  networkId: 'parley-test',
  sequence: 5n,
  issuedAt: 1_700_000_000_000n,
  revocations: [
    { deviceId: '12D3KooWone', revokedAt: 1_699_000_000_000n },
    { deviceId: '12D3KooWtwo', revokedAt: 1_699_500_000_000n },
  ],
}

const signInProof: SignInProof = {
  networkId: 'parley-test',
  challenge: new Uint8Array(32).fill(3),
  username: 'alice',
  devicePublicKey: new Uint8Array(32).fill(7),
}

const envelope: SignedEnvelope = {
  payloadType: 'parley/certificate/1',
  payload: CertificateBody.encode(certificate),
  keyId: new Uint8Array(8).fill(1),
  signature: new Uint8Array(64).fill(2),
}

const withCertificate = (over: Partial<CertificateBody>) =>
  CertificateBody.encode({ ...certificate, ...over })
const withConfig = (over: Partial<NetworkConfigBody>) =>
  NetworkConfigBody.encode({ ...networkConfig, ...over })
const withPolicies = (over: Partial<NonNullable<NetworkConfigBody['policies']>>) =>
  withConfig({ policies: { ...networkConfig.policies!, ...over } })
const withRevocations = (over: Partial<RevocationListBody>) =>
  RevocationListBody.encode({ ...revocationList, ...over })
const withProof = (over: Partial<SignInProof>) => SignInProof.encode({ ...signInProof, ...over })
const withEnvelope = (over: Partial<SignedEnvelope>) => SignedEnvelope.encode({ ...envelope, ...over })

describe('encodings, byte by byte', () => {
  // Expected bytes are written from the protobuf encoding rules: each field is
  // a tag varint (field_number << 3 | wire_type), then a varint for wire type 0,
  // or a length varint and the bytes for wire type 2. Default values are omitted.
  const envelopeHex =
    // field 1 payload_type, wire type 2: tag 0x0a, length 20, "parley/certificate/1"
    '0a' +
    '14' +
    '7061726c65792f63657274696669636174652f31' +
    // field 2 payload: tag 0x12, length 200 = 0b1_1001000 → varint c8 01
    '12' +
    'c801' +
    '5a'.repeat(200) +
    // field 3 key_id: tag 0x1a, length 8
    '1a' +
    '08' +
    '0102030405060708' +
    // field 4 signature: tag 0x22, length 64 = 0x40
    '22' +
    '40' +
    'ee'.repeat(64)

  it('lays out a signed envelope as tag, length, value per field in field order', () => {
    const bytes = SignedEnvelope.encode({
      payloadType: 'parley/certificate/1',
      payload: new Uint8Array(200).fill(0x5a),
      keyId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      signature: new Uint8Array(64).fill(0xee),
    })
    expect(hex(bytes)).toBe(envelopeHex)
  })

  it('reads back the hand-written envelope bytes', () => {
    const env = decodeEnvelope(fromHex(envelopeHex))
    expect(env.payloadType).toBe('parley/certificate/1')
    expect(hex(env.payload)).toBe('5a'.repeat(200))
    expect(hex(env.keyId)).toBe('0102030405060708')
    expect(hex(env.signature)).toBe('ee'.repeat(64))
  })

  const certificateHex =
    // 1 network_id "net": tag 0x0a, length 3
    '0a036e6574' +
    // 2 serial 300 = 0b10_0101100: tag 0x10 (wire type 0), varint ac 02
    '10ac02' +
    // 3 username "alice": tag 0x1a, length 5
    '1a05616c696365' +
    // 4 device_public_key, 32 bytes: tag 0x22, length 0x20
    '2220' +
    '07'.repeat(32) +
    // 5 device_name "Phone": tag 0x2a, length 5
    '2a0550686f6e65' +
    // 6 policy, an embedded message of 4 bytes: tag 0x32, length 4, then
    //   may_supernode (1) true: 08 01; may_relay (2) false: omitted; may_send_files (3) true: 18 01
    '3204' +
    '0801' +
    '1801' +
    // 7 organisation "": the default, omitted
    // 8 not_before 1_700_000_000_000 = 0x18b_cfe5_6800: tag 0x40, 7-bit groups low first
    //   00 50 15 7f 3c 31, continuation bit on all but the last
    '4080d095ffbc31' +
    // 9 not_after 1_700_086_400_000: tag 0x48
    '488088afa8bd31'

  const handBuiltCertificate: CertificateBody = {
    networkId: 'net',
    serial: 300n,
    username: 'alice',
    devicePublicKey: new Uint8Array(32).fill(7),
    deviceName: 'Phone',
    policy: { maySupernode: true, mayRelay: false, maySendFiles: true },
    organisation: '',
    notBefore: 1_700_000_000_000n,
    notAfter: 1_700_086_400_000n,
  }

  it('lays out a certificate body with varints, an embedded policy and no default fields', () => {
    expect(hex(CertificateBody.encode(handBuiltCertificate))).toBe(certificateHex)
  })

  it('reads back the hand-written certificate bytes', () => {
    expect(decodeCertificateBody(fromHex(certificateHex))).toEqual({
      ...handBuiltCertificate,
      notBefore: 1_700_000_000_000,
      notAfter: 1_700_086_400_000,
    })
  })

  it('writes the largest uint64 serial as a ten-byte varint and reads it back exactly', () => {
    const max = 2n ** 64n - 1n
    const bytes = CertificateBody.encode({ serial: max })
    expect(hex(bytes)).toBe('10' + 'ff'.repeat(9) + '01')
    expect(CertificateBody.decode(bytes).serial).toBe(max)
  })

  it('keeps an all-false policy as an empty embedded message, so it still counts as present', () => {
    const bytes = CertificateBody.encode({
      policy: { maySupernode: false, mayRelay: false, maySendFiles: false },
    })
    expect(hex(bytes)).toBe('3200')
  })

  it('writes each repeated revocation as its own tagged embedded message', () => {
    const bytes = RevocationListBody.encode({
      networkId: 'n',
      revocations: [
        { deviceId: 'a', revokedAt: 1n },
        { deviceId: 'b', revokedAt: 0n },
      ],
    })
    // 0a 01 "n" | 22 05 (0a 01 "a" 10 01) | 22 03 (0a 01 "b"): sequence, issued_at and revoked_at 0 omitted
    expect(hex(bytes)).toBe('0a016e' + '22050a01611001' + '22030a0162')
  })

  it('refuses reordered and unknown fields: a signed document has exactly one byte form', () => {
    const reordered = fromHex(
      '48' + '8088afa8bd31' + hex(CertificateBody.encode({ ...handBuiltCertificate, notAfter: 0n })),
    )
    expectRefused(() => decodeCertificateBody(reordered), 'malformed')
    const unknown = fromHex(certificateHex + '7a03abcdef')
    expectRefused(() => decodeCertificateBody(unknown), 'malformed')
  })

  it('refuses a truncated varint that the generated decoder would read as a number', () => {
    // Field 2 (serial), varint 0x81 0x80 0x80 0x80 with its continuation bit set but no next byte.
    const truncated = fromHex(
      hex(CertificateBody.encode({ ...handBuiltCertificate, serial: 0n })) + '1081808080',
    )
    expectRefused(() => decodeCertificateBody(truncated), 'malformed')
  })

  it('refuses an envelope whose first field has another wire type', () => {
    const bytes = SignedEnvelope.encode(envelope)
    const changed = new Uint8Array(bytes)
    changed[0] = 0x0b
    expectRefused(() => decodeEnvelope(changed), 'malformed')
  })
})

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

describe('malformed encodings', () => {
  const decoders: Array<[string, (bytes: Uint8Array) => unknown, Uint8Array]> = [
    ['signed envelope', decodeEnvelope, SignedEnvelope.encode(envelope)],
    ['certificate', decodeCertificateBody, CertificateBody.encode(certificate)],
    ['network config', decodeNetworkConfigBody, NetworkConfigBody.encode(networkConfig)],
    ['revocation list', decodeRevocationListBody, RevocationListBody.encode(revocationList)],
    ['sign-in proof', decodeSignInProof, SignInProof.encode(signInProof)],
  ]

  it.each(decoders)('refuses a %s cut off inside a field as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(valid.subarray(0, valid.byteLength - 1)), 'malformed')
  })

  it.each(decoders)('refuses a %s with an impossible wire type as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(Uint8Array.from([...valid, 0x7f])), 'malformed') // field 15, wire type 7
  })

  it.each(decoders)(
    'refuses a %s whose first length runs past the end as malformed',
    (_what, decode, valid) => {
      // Every message here starts with length-delimited field 1; its length becomes 65 535.
      const bytes = Uint8Array.from([valid[0]!, 0xff, 0xff, 0x03, ...valid.subarray(2)])
      expectRefused(() => decode(bytes), 'malformed')
    },
  )

  it.each(decoders)('refuses a %s ending inside a varint as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(Uint8Array.from([...valid, 0x78, 0xff, 0xff])), 'malformed')
  })

  it('refuses a certificate serial varint longer than ten bytes as malformed', () => {
    const serial = [0x10, ...new Array<number>(10).fill(0xff), 0x01]
    expectRefused(
      () => decodeCertificateBody(Uint8Array.from([...withCertificate({}), ...serial])),
      'malformed',
    )
  })

  it.each(decoders)('refuses anything that is not a byte array as a %s', (_what, decode) => {
    expectRefused(() => decode('0a03' as unknown as Uint8Array), 'malformed')
  })

  it('refuses groups nested as deep as the cap allows as malformed, not with a stack overflow', () => {
    // Unknown field 15, wire type 3 (start group), over and over: the skipper recurses once per byte.
    const bytes = new Uint8Array(Limits.envelopeBytes).fill(0x7b)
    expectRefused(() => decodeEnvelope(bytes), 'malformed')
  })

  it('refuses an end-group marker with no group open as malformed', () => {
    expectRefused(() => decodeCertificateBody(Uint8Array.from([0x7c])), 'malformed')
  })

  it('refuses an embedded policy whose length runs past the end as malformed', () => {
    const bytes = Uint8Array.from([
      ...CertificateBody.encode({ ...certificate, policy: undefined }),
      0x32,
      0x05,
      0x08,
    ])
    expectRefused(() => decodeCertificateBody(bytes), 'malformed')
  })
})
