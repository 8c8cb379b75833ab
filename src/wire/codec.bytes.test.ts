/** The codec's exact encodings, byte by byte, and its refusal of malformed bytes. */
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
} from './codec.fixtures.js'
import { expectRefused, fromHex, hex } from './fuzz-support.js'
import { Limits } from './limits.js'

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
