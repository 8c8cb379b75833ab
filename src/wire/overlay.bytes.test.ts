/**
 * The supernode network's messages byte by byte: exact encodings, the size
 * caps and repeated-field limits, and refusal of malformed bytes.
 */
import { describe, expect, it } from 'vitest'
import {
  expectRefused,
  fromHex,
  hex,
  lengthPrefixes,
  padTo,
  refusal,
  splice,
  varint,
} from './fuzz-support.js'
import { OverlayLimits } from './limits.js'
import {
  announcement,
  attachRequest,
  attachResponse,
  directoryRequest,
  directoryResponse,
  hint,
  membership,
  presence,
  update,
  withAnnouncement,
  withAttachResponse,
  withDirectoryRequest,
  withDirectoryResponse,
  withHint,
  withMembership,
  withPresence,
} from './overlay.fixtures.js'
import {
  Announcement,
  AttachRequest,
  AttachResponse,
  AttachResult,
  decodeAnnouncementBody,
  decodeAttachRequest,
  decodeAttachResponse,
  decodeDirectoryRequest,
  decodeDirectoryResponse,
  decodeMembershipMessage,
  decodePresenceBody,
  DirectoryKind,
  DirectoryRequest,
  DirectoryResponse,
  DirectoryResult,
  MembershipKind,
  MembershipMessage,
  PresenceRecord,
  PresenceStatus,
} from './overlay.js'

const many = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i))

describe('encodings, byte by byte', () => {
  // As in codec.bytes.test.ts: tag varint (field_number << 3 | wire_type), then a
  // varint (wire type 0) or a length and the bytes (wire type 2). Defaults are omitted.
  const presenceHex =
    // 1 certificate, 3 bytes: tag 0x0a, length 3
    '0a03010203' +
    // 2 addrs, repeated: each its own tag 0x12, length 6, "/dns/a" then "/dns/b"
    '12062f646e732f61' +
    '12062f646e732f62' +
    // 3 status AWAY, an enum: tag 0x18, varint 2
    '1802' +
    // 4 sequence 300: tag 0x20, varint ac 02
    '20ac02' +
    // 5 expires_at 1_700_000_000_000: tag 0x28, varint 80 d0 95 ff bc 31
    '2880d095ffbc31'

  it('lays out a presence record with its status as an enum varint', () => {
    const bytes = PresenceRecord.encode({
      certificate: Uint8Array.from([1, 2, 3]),
      addrs: ['/dns/a', '/dns/b'],
      status: PresenceStatus.AWAY,
      sequence: 300n,
      expiresAt: 1_700_000_000_000n,
    })
    expect(hex(bytes)).toBe(presenceHex)
  })

  it('reads back the hand-written presence record', () => {
    expect(decodePresenceBody(fromHex(presenceHex))).toEqual({
      certificate: Uint8Array.from([1, 2, 3]),
      addrs: ['/dns/a', '/dns/b'],
      status: PresenceStatus.AWAY,
      sequence: 300,
      expiresAt: 1_700_000_000_000,
    })
  })

  const announcementHex =
    '0a03010203' + // 1 certificate
    '12062f646e732f61' + // 2 addrs ["/dns/a"]
    '1864' + // 3 capacity 100: tag 0x18, varint 0x64
    // 4 load 0: the default, omitted
    '2a05312e322e33' + // 5 version "1.2.3": tag 0x2a, length 5
    '3080d095ffbc31' + // 6 incarnation 1_700_000_000_000: tag 0x30
    '3a08687474703a2f2f6d' // 7 metrics_url "http://m": tag 0x3a, length 8

  it('lays out an announcement and reads it back, incarnation as a number', () => {
    const fields = {
      certificate: Uint8Array.from([1, 2, 3]),
      addrs: ['/dns/a'],
      capacity: 100,
      load: 0,
      version: '1.2.3',
      metricsUrl: 'http://m',
    }
    expect(hex(Announcement.encode({ ...fields, incarnation: 1_700_000_000_000n }))).toBe(announcementHex)
    expect(decodeAnnouncementBody(fromHex(announcementHex))).toEqual({
      ...fields,
      incarnation: 1_700_000_000_000,
    })
  })

  it('writes each member update as its own tagged embedded message', () => {
    const bytes = MembershipMessage.encode({
      kind: MembershipKind.Sync,
      seq: 1n,
      target: '',
      updates: [
        { peerId: 'p', incarnation: 2n, state: 1, announcement: Uint8Array.from([9]) },
        { peerId: 'q', incarnation: 0n, state: 0, announcement: new Uint8Array(0) },
      ],
    })
    // 08 04 kind | 10 01 seq | target "" omitted |
    // 22 0a (0a 01 "p" | 10 02 | 18 01 | 22 01 09) | 22 03 (0a 01 "q"): alive, incarnation 0, no announcement
    expect(hex(bytes)).toBe(
      '0804' + '1001' + '220a' + '0a0170' + '1002' + '1801' + '220109' + '2203' + '0a0171',
    )
  })

  it('lays out an attach request as certificate then version', () => {
    const bytes = AttachRequest.encode({ certificate: Uint8Array.from([1, 2, 3]), version: '1.2.3' })
    expect(hex(bytes)).toBe('0a03010203' + '1205312e322e33')
  })

  it('nests each hint of an attach response, addresses and all, as an embedded message', () => {
    const bytes = AttachResponse.encode({
      result: AttachResult.Busy,
      code: '',
      message: '',
      hints: [{ peerId: 'p', addrs: ['/dns/a'], load: 3, capacity: 10, mega: true }],
      load: 5,
      capacity: 6,
      configSequence: 7n,
    })
    // 08 01 result | 22 11 (0a 01 "p" | 12 06 "/dns/a" | 18 03 | 20 0a | 28 01) | 28 05 | 30 06 | 38 07
    const hintHex = '0a0170' + '12062f646e732f61' + '1803' + '200a' + '2801'
    expect(hex(bytes)).toBe('0801' + '2211' + hintHex + '2805' + '3006' + '3807')
  })

  it('writes directory records as repeated length-delimited bytes, and a lookup with its username', () => {
    const store = DirectoryRequest.encode({
      kind: DirectoryKind.Store,
      records: [Uint8Array.from([0xaa, 0xbb]), Uint8Array.from([0xcc])],
      username: '',
    })
    expect(hex(store)).toBe('0803' + '1202aabb' + '1201cc')
    const lookup = DirectoryRequest.encode({ kind: DirectoryKind.Lookup, records: [], username: 'alice' })
    expect(hex(lookup)).toBe('0802' + '1a05616c696365')
    const answer = DirectoryResponse.encode({
      result: DirectoryResult.NotFound,
      code: 'not_found',
      message: '',
      records: [Uint8Array.from([0xaa])],
    })
    expect(hex(answer)).toBe('0801' + '12096e6f745f666f756e64' + '2201aa')
  })

  it('refuses a status outside the enum while decoding, not only when re-encoding', () => {
    const err = refusal(() => decodePresenceBody(fromHex('0a03010203' + '1804')))
    expect({ code: err.code, message: err.message }).toMatchObject({
      code: 'malformed',
      message: expect.stringMatching(/not a valid encoding/) as string,
    })
    // -1 as the ten-byte varint of an int32
    expectRefused(() => decodePresenceBody(fromHex('0a03010203' + '18' + 'ff'.repeat(9) + '01')), 'malformed')
  })

  it('refuses a default value written out, a field written twice, and fields out of order', () => {
    // status OFFLINE (0) is the default: canonical form omits it
    expectRefused(() => decodePresenceBody(fromHex('0a03010203' + '1800')), 'malformed')
    // kind twice: the decoder keeps the last, so two byte forms would mean one message
    expectRefused(() => decodeMembershipMessage(fromHex('0801' + '0802')), 'malformed')
    // username (3) before records (2)
    expectRefused(() => decodeDirectoryRequest(fromHex('0803' + '1a05616c696365' + '1201cc')), 'malformed')
    // unknown field 15 after a valid attach request
    expectRefused(() => decodeAttachRequest(fromHex('0a03010203' + '1205312e322e33' + '7a01ff')), 'malformed')
  })

  it('refuses a known field with another wire type, and a uint32 past 2^32 rather than wrapping it', () => {
    // kind as length-delimited (tag 0x0a) instead of a varint (0x08)
    expectRefused(() => decodeMembershipMessage(fromHex('0a0104')), 'malformed')
    // capacity 2^32 + 100 as a five-byte varint: what the reader keeps is not what was sent
    const capacity = hex(Uint8Array.from([0x18, ...varint(2 ** 32 + 100)]))
    const bytes = fromHex('0a03010203' + '12062f646e732f61' + capacity + '2a05312e322e33')
    expectRefused(() => decodeAnnouncementBody(bytes), 'malformed')
  })
})

const decoders: Array<[string, (bytes: Uint8Array) => unknown, Uint8Array, number]> = [
  ['presence record', decodePresenceBody, PresenceRecord.encode(presence), OverlayLimits.presenceBytes],
  [
    'announcement',
    decodeAnnouncementBody,
    Announcement.encode(announcement),
    OverlayLimits.announcementBytes,
  ],
  [
    'membership message',
    decodeMembershipMessage,
    MembershipMessage.encode(membership),
    OverlayLimits.membershipBytes,
  ],
  ['attach request', decodeAttachRequest, AttachRequest.encode(attachRequest), OverlayLimits.attachBytes],
  ['attach response', decodeAttachResponse, AttachResponse.encode(attachResponse), OverlayLimits.attachBytes],
  [
    'directory request',
    decodeDirectoryRequest,
    DirectoryRequest.encode(directoryRequest),
    OverlayLimits.directoryBytes,
  ],
  [
    'directory response',
    decodeDirectoryResponse,
    DirectoryResponse.encode(directoryResponse),
    OverlayLimits.directoryBytes,
  ],
]

describe('size caps', () => {
  it.each(decoders)(
    'reads a %s of exactly the cap and refuses one byte more as too_large',
    (_what, decode, valid, cap) => {
      // At the cap the size check lets it through (the canonical-form check then refuses the padding).
      expect(refusal(() => decode(padTo(valid, cap))).message).toMatch(/not canonically encoded/)
      expectRefused(() => decode(padTo(valid, cap + 1)), 'too_large')
    },
  )

  const addrs = (n: number) => many(n, (i) => `/dns/a${i}`)
  it.each<[string, (n: number) => () => unknown, number]>([
    [
      'addresses in a presence record',
      (n) => () => decodePresenceBody(withPresence({ addrs: addrs(n) })),
      OverlayLimits.addrs,
    ],
    [
      'addresses in an announcement',
      (n) => () => decodeAnnouncementBody(withAnnouncement({ addrs: addrs(n) })),
      OverlayLimits.addrs,
    ],
    [
      'updates in a membership message',
      (n) => () =>
        decodeMembershipMessage(
          withMembership({
            updates: many(n, (i) => ({ ...update, peerId: `p${i}`, announcement: new Uint8Array(0) })),
          }),
        ),
      OverlayLimits.memberUpdates,
    ],
    [
      'hints in an attach response',
      (n) => () => decodeAttachResponse(withAttachResponse({ hints: many(n, () => hint) })),
      OverlayLimits.hints,
    ],
    [
      'addresses in a hint',
      (n) => () => decodeAttachResponse(withHint({ addrs: addrs(n) })),
      OverlayLimits.addrs,
    ],
    [
      'records in a directory request',
      (n) => () =>
        decodeDirectoryRequest(withDirectoryRequest({ records: many(n, () => new Uint8Array(8)) })),
      OverlayLimits.records,
    ],
    [
      'records in a directory response',
      (n) => () =>
        decodeDirectoryResponse(withDirectoryResponse({ records: many(n, () => new Uint8Array(8)) })),
      OverlayLimits.records,
    ],
  ])('reads as many %s as the limit allows and refuses one more as malformed', (_what, decodeWith, limit) => {
    expect(decodeWith(limit)).not.toThrow()
    expectRefused(decodeWith(limit + 1), 'malformed')
  })
})

describe('malformed encodings', () => {
  it.each(decoders)('refuses a %s cut off inside a field as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(valid.subarray(0, valid.byteLength - 1)), 'malformed')
  })

  it.each(decoders)('refuses a %s with an impossible wire type as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(Uint8Array.from([...valid, 0x7f])), 'malformed') // field 15, wire type 7
  })

  it.each(decoders)(
    'refuses a %s whose first length runs past the end as malformed',
    (_what, decode, valid) => {
      const first = lengthPrefixes(valid)![0]!
      expectRefused(
        () => decode(splice(valid, first.start, first.end - first.start, varint(65_535))),
        'malformed',
      )
    },
  )

  it.each(decoders)('refuses a %s ending inside a varint as malformed', (_what, decode, valid) => {
    expectRefused(() => decode(Uint8Array.from([...valid, 0x78, 0xff, 0xff])), 'malformed')
  })

  it.each(decoders)('refuses anything that is not a byte array as a %s', (_what, decode) => {
    expectRefused(() => decode('0a03' as unknown as Uint8Array), 'malformed')
  })

  it('refuses an embedded member update whose length runs past the end as malformed', () => {
    const bytes = Uint8Array.from([...withMembership({ updates: [] }), 0x22, 0x05, 0x0a])
    expectRefused(() => decodeMembershipMessage(bytes), 'malformed')
  })
})
