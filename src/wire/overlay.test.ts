/** The supernode network's decoders: round trips and the validation rules of every message. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectRefused, TOO_BIG } from './fuzz-support.js'
import { Limits, OverlayLimits } from './limits.js'
import {
  announcement,
  attachRequest,
  attachResponse,
  directoryRequest,
  directoryResponse,
  membership,
  presence,
  withAnnouncement,
  withAttachRequest,
  withAttachResponse,
  withDirectoryRequest,
  withDirectoryResponse,
  withHint,
  withMembership,
  withPresence,
  withUpdate,
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

describe('round trips', () => {
  it('decodes a presence record to what was encoded, times as numbers', () => {
    expect(decodePresenceBody(PresenceRecord.encode(presence))).toEqual({
      ...presence,
      sequence: 7,
      expiresAt: 1_700_000_060_000,
    })
  })

  it('decodes an announcement to what was encoded, incarnation as a number', () => {
    expect(decodeAnnouncementBody(Announcement.encode(announcement))).toEqual({
      ...announcement,
      incarnation: 1_700_000_000_000,
    })
  })

  it.each<[string, (bytes: Uint8Array) => unknown, Uint8Array, object]>([
    ['membership message', decodeMembershipMessage, MembershipMessage.encode(membership), membership],
    ['attach request', decodeAttachRequest, AttachRequest.encode(attachRequest), attachRequest],
    ['attach response', decodeAttachResponse, AttachResponse.encode(attachResponse), attachResponse],
    [
      'directory request',
      decodeDirectoryRequest,
      DirectoryRequest.encode(directoryRequest),
      directoryRequest,
    ],
    [
      'directory response',
      decodeDirectoryResponse,
      DirectoryResponse.encode(directoryResponse),
      directoryResponse,
    ],
  ])('decodes a %s to what was encoded', (_what, decode, bytes, value) => {
    expect(decode(bytes)).toEqual(value)
  })

  it('round-trips any valid presence record', () => {
    const addr = fc.string({ minLength: 1, maxLength: Limits.multiaddrChars })
    const fields = fc.record({
      certificate: fc.uint8Array({ minLength: 1, maxLength: 2048 }),
      addrs: fc.array(addr, { maxLength: OverlayLimits.addrs }),
      status: fc.constantFrom(
        PresenceStatus.OFFLINE,
        PresenceStatus.ONLINE,
        PresenceStatus.AWAY,
        PresenceStatus.DO_NOT_DISTURB,
      ),
      sequence: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      expiresAt: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    })
    fc.assert(
      fc.property(fields, (f) => {
        const bytes = PresenceRecord.encode({
          ...f,
          certificate: new Uint8Array(f.certificate),
          sequence: BigInt(f.sequence),
          expiresAt: BigInt(f.expiresAt),
        })
        expect(decodePresenceBody(bytes)).toEqual(f)
      }),
      { numRuns: 300 },
    )
  })
})

describe('presence record rules', () => {
  it.each<[string, Partial<PresenceRecord>, string]>([
    ['no certificate', { certificate: new Uint8Array(0) }, 'certificate'],
    ['an empty address', { addrs: ['/ip4/127.0.0.1/tcp/1', ''] }, 'addrs'],
    ['an address over 512 characters', { addrs: ['a'.repeat(513)] }, 'addrs'],
    ['a sequence past 2^53', { sequence: TOO_BIG }, 'sequence'],
    ['an expiry past 2^53', { expiresAt: TOO_BIG }, 'expiresAt'],
  ])('refuses a presence record with %s', (_what, over, field) => {
    expectRefused(() => decodePresenceBody(withPresence(over)), 'invalid_field', field)
  })

  it('accepts no addresses, a 512-character address and 2^53 − 1 times', () => {
    const body = withPresence({ addrs: [], sequence: TOO_BIG - 1n, expiresAt: TOO_BIG - 1n })
    expect(decodePresenceBody(body).expiresAt).toBe(Number.MAX_SAFE_INTEGER)
    expect(decodePresenceBody(withPresence({ addrs: ['a'.repeat(512)] })).addrs[0]).toHaveLength(512)
  })
})

describe('announcement rules', () => {
  it.each<[string, Partial<Announcement>, string]>([
    ['no certificate', { certificate: new Uint8Array(0) }, 'certificate'],
    ['no addresses', { addrs: [] }, 'addrs'],
    ['an empty address', { addrs: [''] }, 'addrs'],
    ['an address over 512 characters', { addrs: ['a'.repeat(513)] }, 'addrs'],
    ['capacity 0 (missing)', { capacity: 0 }, 'capacity'],
    ['no version', { version: '' }, 'version'],
    ['a version with a letter', { version: 'v1.2' }, 'version'],
    ['a version of five parts', { version: '1.2.3.4.5' }, 'version'],
    ['a version part of seven digits', { version: '1234567.0' }, 'version'],
    ['a metrics URL over 512 characters', { metricsUrl: 'h'.repeat(513) }, 'metricsUrl'],
    ['an incarnation past 2^53', { incarnation: TOO_BIG }, 'incarnation'],
  ])('refuses an announcement with %s', (_what, over, field) => {
    expectRefused(() => decodeAnnouncementBody(withAnnouncement(over)), 'invalid_field', field)
  })

  it('accepts no metrics URL, a 512-character one and a four-part version of six-digit parts', () => {
    expect(decodeAnnouncementBody(withAnnouncement({ metricsUrl: '' })).metricsUrl).toBe('')
    const widest = withAnnouncement({ metricsUrl: 'h'.repeat(512), version: '123456.0.0.999999' })
    expect(decodeAnnouncementBody(widest).version).toBe('123456.0.0.999999')
  })
})

describe('membership message rules', () => {
  const announcementCap = OverlayLimits.announcementBytes + 512
  it.each<[string, Uint8Array, string]>([
    ['kind 0 (missing)', withMembership({ kind: 0 }), 'kind'],
    ['kind 6', withMembership({ kind: 6 }), 'kind'],
    ['a target over 128 characters', withMembership({ target: 't'.repeat(129) }), 'target'],
    ['an update without a peer id', withUpdate({ peerId: '' }), 'updates.peerId'],
    ['an update peer id over 128 characters', withUpdate({ peerId: 'p'.repeat(129) }), 'updates.peerId'],
    ['an update in state 3', withUpdate({ state: 3 }), 'updates.state'],
    [
      `an update announcement over ${announcementCap} bytes`,
      withUpdate({ announcement: new Uint8Array(announcementCap + 1) }),
      'updates.announcement',
    ],
  ])('refuses a membership message with %s', (_what, bytes, field) => {
    expectRefused(() => decodeMembershipMessage(bytes), 'invalid_field', field)
  })

  it('accepts every kind, a dead member, no target and an announcement of exactly the cap', () => {
    for (const kind of Object.values(MembershipKind))
      expect(decodeMembershipMessage(withMembership({ kind })).kind).toBe(kind)
    const edge = withUpdate({ state: 2, announcement: new Uint8Array(announcementCap) })
    expect(decodeMembershipMessage(edge).updates[0]?.announcement).toHaveLength(announcementCap)
    expect(decodeMembershipMessage(withMembership({ target: '', updates: [] })).target).toBe('')
  })
})

describe('attach rules', () => {
  it.each<[string, Partial<AttachRequest>, string]>([
    ['no certificate', { certificate: new Uint8Array(0) }, 'certificate'],
    ['no version', { version: '' }, 'version'],
    ['a version that is not one', { version: 'latest' }, 'version'],
  ])('refuses an attach request with %s', (_what, over, field) => {
    expectRefused(() => decodeAttachRequest(withAttachRequest(over)), 'invalid_field', field)
  })

  it.each<[string, Uint8Array, string]>([
    ['result 3', withAttachResponse({ result: 3 }), 'result'],
    ['a code over 64 characters', withAttachResponse({ code: 'c'.repeat(65) }), 'code'],
    ['a message over 512 characters', withAttachResponse({ message: 'm'.repeat(513) }), 'message'],
    ['a hint without a peer id', withHint({ peerId: '' }), 'hints.peerId'],
    ['a hint peer id over 128 characters', withHint({ peerId: 'p'.repeat(129) }), 'hints.peerId'],
    ['an empty hint address', withHint({ addrs: [''] }), 'hints.addrs'],
    ['a hint address over 512 characters', withHint({ addrs: ['a'.repeat(513)] }), 'hints.addrs'],
  ])('refuses an attach response with %s', (_what, bytes, field) => {
    expectRefused(() => decodeAttachResponse(bytes), 'invalid_field', field)
  })

  it('accepts a refusal with a 64-character code and a 512-character message', () => {
    const refused = withAttachResponse({
      result: AttachResult.Refused,
      code: 'c'.repeat(64),
      message: 'm'.repeat(512),
      hints: [],
    })
    expect(decodeAttachResponse(refused).result).toBe(AttachResult.Refused)
  })
})

describe('directory rules', () => {
  const oversized = new Uint8Array(OverlayLimits.recordEnvelopeBytes + 1)
  it.each<[string, Partial<DirectoryRequest>, string]>([
    ['kind 0 (missing)', { kind: 0 }, 'kind'],
    ['kind 5', { kind: 5 }, 'kind'],
    ['a record over the record cap', { records: [new Uint8Array(10), oversized] }, 'records'],
    ['a lookup without a username', { kind: DirectoryKind.Lookup, records: [] }, 'username'],
    ['a fetch without a username', { kind: DirectoryKind.Fetch, records: [] }, 'username'],
    ['a username over 32 characters', { kind: DirectoryKind.Lookup, username: 'u'.repeat(33) }, 'username'],
  ])('refuses a directory request with %s', (_what, over, field) => {
    expectRefused(() => decodeDirectoryRequest(withDirectoryRequest(over)), 'invalid_field', field)
  })

  it('accepts a publish without a username and a record of exactly the record cap', () => {
    const edge = withDirectoryRequest({
      kind: DirectoryKind.Publish,
      records: [new Uint8Array(OverlayLimits.recordEnvelopeBytes)],
    })
    expect(decodeDirectoryRequest(edge).records[0]).toHaveLength(OverlayLimits.recordEnvelopeBytes)
    const lookup = withDirectoryRequest({ kind: DirectoryKind.Lookup, records: [], username: 'alice' })
    expect(decodeDirectoryRequest(lookup).username).toBe('alice')
  })

  it.each<[string, Partial<DirectoryResponse>, string]>([
    ['result 4', { result: 4 }, 'result'],
    ['a code over 64 characters', { code: 'c'.repeat(65) }, 'code'],
    ['a message over 512 characters', { message: 'm'.repeat(513) }, 'message'],
    ['a record over the record cap', { records: [oversized] }, 'records'],
  ])('refuses a directory response with %s', (_what, over, field) => {
    expectRefused(() => decodeDirectoryResponse(withDirectoryResponse(over)), 'invalid_field', field)
  })

  it('reads an empty response as ok with no records, and a busy one', () => {
    expect(decodeDirectoryResponse(new Uint8Array(0))).toEqual({
      result: DirectoryResult.Ok,
      code: '',
      message: '',
      records: [],
    })
    expect(decodeDirectoryResponse(withDirectoryResponse({ result: DirectoryResult.Busy })).result).toBe(
      DirectoryResult.Busy,
    )
  })
})
