/**
 * The chat decoders byte by byte and rule by rule, and signed chat events:
 * who they say sent them, and refusal when the signer is not the certificate's
 * device. The offline-store decoders are tested elsewhere.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { deviceIdOf, generateKey, keyId, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate } from '../trust/certificate.js'
import { signChatEvent, verifyChatEvent, type ChatEventInput } from '../trust/chat-event.js'
import { TrustError } from '../trust/errors.js'
import { plain } from './bytes.js'
import {
  ChatAck,
  ChatEvent,
  ChatKind,
  ChatLimits,
  ChatPush,
  ChatResult,
  decodeChatAck,
  decodeChatEventBody,
  decodeChatPush,
  decodeHistoryRequest,
  decodeHistoryResponse,
  HistoryRequest,
  HistoryResponse,
} from './chat.js'
import { decodeEnvelope, SignedEnvelope } from './codec.js'
import { expectRefused, fromHex, hex, padTo, refusal, splice, TOO_BIG } from './fuzz-support.js'
import { PresenceStatus } from './generated/parley.js'
import { Limits } from './limits.js'

const many = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i))
const idOf = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(16).fill(n)
/** The enums' members, without the `codec` the generated namespace merges in. */
const KINDS = Object.values(ChatKind).filter((v): v is ChatKind => typeof v === 'string')
const STATUSES = Object.values(PresenceStatus).filter((v): v is PresenceStatus => typeof v === 'string')
const utf8Bytes = (s: string) => new TextEncoder().encode(s).byteLength

/** Stands in for a signed certificate envelope: the body decoder only requires one to be there. */
const certificate = new Uint8Array(300).fill(0xce)

const event: ChatEvent = {
  certificate,
  id: idOf(1),
  kind: ChatKind.TEXT,
  to: 'bob',
  lamport: 5n,
  sentAt: 1_700_000_000_000n,
  text: 'hello, Bob',
  refs: [idOf(2)],
  status: PresenceStatus.OFFLINE,
}
const withEvent = (over: Partial<ChatEvent>) => ChatEvent.encode({ ...event, ...over })

const ack: ChatAck = {
  result: ChatResult.Ok,
  code: '',
  message: '',
  committed: [idOf(1), idOf(2)],
  refused: [idOf(3)],
}
const withAck = (over: Partial<ChatAck>) => ChatAck.encode({ ...ack, ...over })

const historyRequest: HistoryRequest = {
  certificate,
  since: 1_700_000_000_000n,
  after: idOf(4),
  limit: 100,
}
const withHistoryRequest = (over: Partial<HistoryRequest>) =>
  HistoryRequest.encode({ ...historyRequest, ...over })

const historyResponse: HistoryResponse = {
  result: ChatResult.Ok,
  code: '',
  message: '',
  events: [new Uint8Array(200).fill(0xe1), new Uint8Array(10).fill(0xe2)],
  more: true,
}
const withHistoryResponse = (over: Partial<HistoryResponse>) =>
  HistoryResponse.encode({ ...historyResponse, ...over })

const pushOf = (events: Uint8Array<ArrayBuffer>[]) => ChatPush.encode({ events })

describe('encodings, byte by byte', () => {
  // Tag varint (field_number << 3 | wire_type), then a varint (wire type 0) or
  // a length and the bytes (wire type 2). Defaults are omitted.
  const eventFields = [
    '0a02cece', // 1 certificate, 2 bytes
    '1210' + '11'.repeat(16), // 2 id, 16 bytes
    '1801', // 3 kind TEXT: enum varint 1
    '2203626f62', // 4 to "bob"
    '2805', // 5 lamport 5
    '30ac02', // 6 sent_at 300
    '3a026869', // 7 text "hi"
    '4210' + '22'.repeat(16), // 8 refs, one 16-byte id
    '4803', // 9 status DO_NOT_DISTURB: enum varint 3
  ]
  const eventHex = eventFields.join('')
  const fields = {
    certificate: Uint8Array.of(0xce, 0xce),
    id: idOf(0x11),
    kind: ChatKind.TEXT,
    to: 'bob',
    text: 'hi',
    refs: [idOf(0x22)],
    status: PresenceStatus.DO_NOT_DISTURB,
  }

  it('lays out a chat event and reads it back, times as numbers', () => {
    expect(hex(ChatEvent.encode({ ...fields, lamport: 5n, sentAt: 300n }))).toBe(eventHex)
    expect(decodeChatEventBody(fromHex(eventHex))).toEqual({ ...fields, lamport: 5, sentAt: 300 })
  })

  it('lays out an ack with its ids as repeated bytes', () => {
    const ackHex = [
      '0802', // 1 result 2 (refused)
      '1204626c6f62', // 2 code "blob"
      '1a0178', // 3 message "x"
      '2210' + '01'.repeat(16), // 4 committed, one 16-byte id
      '2a10' + '02'.repeat(16), // 5 refused, one 16-byte id
    ].join('')
    const value = { result: 2, code: 'blob', message: 'x', committed: [idOf(1)], refused: [idOf(2)] }
    expect(hex(ChatAck.encode(value))).toBe(ackHex)
    expect(decodeChatAck(fromHex(ackHex))).toEqual(value)
  })

  it('lays out a history request and response', () => {
    const requestHex =
      '0a01ce' + // 1 certificate, 1 byte
      '1007' + // 2 since 7
      // 3 after: empty on a first page, omitted
      '2001' // 4 limit 1
    const request = { certificate: Uint8Array.of(0xce), since: 7n, after: new Uint8Array(0), limit: 1 }
    expect(hex(HistoryRequest.encode(request))).toBe(requestHex)
    expect(decodeHistoryRequest(fromHex(requestHex))).toEqual(request)

    const responseHex =
      '0803' + // 1 result 3 (busy)
      '220109' + // 4 events, one of 1 byte
      '2801' // 5 more: true
    const response = { result: 3, code: '', message: '', events: [Uint8Array.of(9)], more: true }
    expect(hex(HistoryResponse.encode(response))).toBe(responseHex)
    expect(decodeHistoryResponse(fromHex(responseHex))).toEqual(response)
  })

  it.each<[string, string]>([
    ['a field out of order (kind before id)', '0a02cece' + '1801' + '1210' + '11'.repeat(16)],
    ['an explicit default (kind CHAT_NONE written out)', '0a02cece1210' + '11'.repeat(16) + '1800'],
    ['a non-minimal varint (lamport 5 as 85 00)', '0a02cece1210' + '11'.repeat(16) + '1801' + '28' + '8500'],
    ['an unknown field 15', '0a02cece1210' + '11'.repeat(16) + '1801' + '7800'],
    ['a length running past the end', '0a05cece'],
    ['invalid UTF-8 in the text', '0a02cece1210' + '11'.repeat(16) + '1801' + '2203626f62' + '3a01ff'],
    ['kind 99, which no version defines', '0a02cece1210' + '11'.repeat(16) + '1863' + '2203626f62'],
    ['a negative kind', '0a02cece1210' + '11'.repeat(16) + '18ffffffffffffffffff01' + '2203626f62'],
    ['status 4, which no version defines', eventHex.slice(0, -4) + '4804'],
  ])('refuses a chat event with %s as malformed', (_what, bytes) => {
    expectRefused(() => decodeChatEventBody(fromHex(bytes)), 'malformed')
  })

  it('refuses the event cut off inside a field as malformed, and between fields by what is missing', () => {
    const bytes = fromHex(eventHex)
    const ends = eventFields.map((_, i) => eventFields.slice(0, i + 1).join('').length / 2)
    const lastRequired = ends[3]! // certificate, id, kind and recipient; the rest may be defaults
    for (let at = 0; at < bytes.byteLength; at++) {
      const cut = () => decodeChatEventBody(bytes.subarray(0, at))
      if (!ends.includes(at) && at !== 0) expectRefused(cut, 'malformed')
      else if (at < lastRequired) expect(refusal(cut).code).toBe('invalid_field')
      // A shorter event that still reads: only the envelope's signature tells it from the whole.
      else expect(cut()).toMatchObject({ certificate: fields.certificate, id: fields.id, to: 'bob' })
    }
  })
})

describe('chat event rules', () => {
  it('accepts a text of exactly 64 KiB of UTF-8, counted in bytes, and refuses one byte more', () => {
    const cap = ChatLimits.textBytes
    // One-, two-, three- and four-byte characters: the cap is on bytes, not string length.
    for (const unit of ['a', 'é', '€', '😀']) {
      const text = unit.repeat(Math.floor(cap / utf8Bytes(unit))) + 'a'.repeat(cap % utf8Bytes(unit))
      expect(utf8Bytes(text)).toBe(cap)
      expect(decodeChatEventBody(withEvent({ text })).text).toBe(text)
      expectRefused(() => decodeChatEventBody(withEvent({ text: text + 'a' })), 'invalid_field', 'text')
    }
    // 32 769 characters, far under 65 536, but 65 538 bytes.
    expectRefused(() => decodeChatEventBody(withEvent({ text: 'é'.repeat(32_769) })), 'invalid_field', 'text')
  })

  it.each<[string, Partial<ChatEvent>, string]>([
    ['no certificate', { certificate: new Uint8Array(0) }, 'certificate'],
    ['no id', { id: new Uint8Array(0) }, 'id'],
    ['a 15-byte id', { id: new Uint8Array(15) }, 'id'],
    ['a 17-byte id', { id: new Uint8Array(17) }, 'id'],
    ['kind CHAT_NONE (missing)', { kind: ChatKind.CHAT_NONE }, 'kind'],
    ['no recipient', { to: '' }, 'to'],
    ['a two-letter recipient', { to: 'bo' }, 'to'],
    ['a recipient of 33 characters', { to: 'b'.repeat(33) }, 'to'],
    ['a recipient in capitals', { to: 'Bob' }, 'to'],
    ['a recipient with a space', { to: 'bob smith' }, 'to'],
    ['a recipient with a non-ASCII letter', { to: 'bøb' }, 'to'],
    ['a 15-byte ref', { refs: [idOf(1), new Uint8Array(15)] }, 'refs'],
    ['an empty ref', { refs: [new Uint8Array(0)] }, 'refs'],
    ['a lamport clock past 2^53', { lamport: TOO_BIG }, 'lamport'],
    ['a send time past 2^53', { sentAt: TOO_BIG }, 'sentAt'],
  ])('refuses a chat event with %s', (_what, over, field) => {
    expectRefused(() => decodeChatEventBody(withEvent(over)), 'invalid_field', field)
  })

  it('accepts every kind but CHAT_NONE, every status, and 32-character recipients', () => {
    for (const kind of KINDS.filter((k) => k !== ChatKind.CHAT_NONE))
      expect(decodeChatEventBody(withEvent({ kind })).kind).toBe(kind)
    for (const status of STATUSES) expect(decodeChatEventBody(withEvent({ status })).status).toBe(status)
    expect(decodeChatEventBody(withEvent({ to: 'a.b_c-9'.padEnd(32, 'z') })).to).toHaveLength(32)
    expect(decodeChatEventBody(withEvent({ lamport: 0n, sentAt: TOO_BIG - 1n, refs: [] })).sentAt).toBe(
      Number.MAX_SAFE_INTEGER,
    )
  })

  it(`reads ${ChatLimits.refs} refs and refuses ${ChatLimits.refs + 1} as malformed`, () => {
    const refs = many(ChatLimits.refs + 1, (i) => idOf(i % 256))
    expect(decodeChatEventBody(withEvent({ refs: refs.slice(1) })).refs).toHaveLength(ChatLimits.refs)
    expectRefused(() => decodeChatEventBody(withEvent({ refs })), 'malformed')
  })

  it('reads an event of exactly the cap and refuses one byte more as too_large', () => {
    expectRefused(() => decodeChatEventBody(padTo(withEvent({}), ChatLimits.eventBytes + 1)), 'too_large')
    // At the cap the size check lets it through; the canonical-form check refuses the padding.
    expectRefused(() => decodeChatEventBody(padTo(withEvent({}), ChatLimits.eventBytes)), 'malformed')
  })

  it('leaves room in the cap for the largest event, signed', async () => {
    const device = signerOf(await generateKey())
    const largest = withEvent({
      certificate: new Uint8Array(Limits.certificateBytes).fill(0xce),
      to: 'b'.repeat(32),
      lamport: TOO_BIG - 1n,
      sentAt: TOO_BIG - 1n,
      text: '€'.repeat(ChatLimits.textBytes / 3) + 'a',
      refs: many(ChatLimits.refs, (i) => idOf(i % 256)),
      status: PresenceStatus.DO_NOT_DISTURB,
    })
    expect(decodeChatEventBody(largest).refs).toHaveLength(ChatLimits.refs)
    const envelope = seal(PayloadType.ChatEvent, largest, device)
    expect(envelope.byteLength).toBeLessThanOrEqual(ChatLimits.eventBytes)
    expect(decodeEnvelope(envelope, ChatLimits.eventBytes).payload).toEqual(largest)
  })
})

describe('chat push rules', () => {
  it('reads events up to the event cap and refuses a larger one', () => {
    const at = new Uint8Array(ChatLimits.eventBytes)
    expect(decodeChatPush(pushOf([at])).events[0]).toHaveLength(ChatLimits.eventBytes)
    expectRefused(
      () => decodeChatPush(pushOf([new Uint8Array(ChatLimits.eventBytes + 1)])),
      'invalid_field',
      'events',
    )
  })

  it('refuses a push with no events', () => {
    expectRefused(() => decodeChatPush(pushOf([])), 'invalid_field', 'events')
  })

  it(`reads ${ChatLimits.pushEvents} events and refuses ${ChatLimits.pushEvents + 1} as malformed`, () => {
    const events = many(ChatLimits.pushEvents + 1, () => new Uint8Array(8))
    expect(decodeChatPush(pushOf(events.slice(1))).events).toHaveLength(ChatLimits.pushEvents)
    expectRefused(() => decodeChatPush(pushOf(events)), 'malformed')
  })

  it('refuses a push past the byte cap as too_large, even one that would decode', () => {
    const valid = pushOf([new Uint8Array(8)])
    expectRefused(() => decodeChatPush(padTo(valid, ChatLimits.pushBytes + 1)), 'too_large')
  })
})

describe('chat ack rules', () => {
  it.each<[string, Partial<ChatAck>, string]>([
    ['result 1', { result: 1 }, 'result'],
    ['result 4', { result: 4 }, 'result'],
    ['a code over 64 characters', { code: 'c'.repeat(65) }, 'code'],
    ['a message over 512 characters', { message: 'm'.repeat(513) }, 'message'],
    ['a 15-byte committed id', { committed: [new Uint8Array(15)] }, 'committed'],
    ['a 17-byte refused id', { refused: [new Uint8Array(17)] }, 'refused'],
  ])('refuses an ack with %s', (_what, over, field) => {
    expectRefused(() => decodeChatAck(withAck(over)), 'invalid_field', field)
  })

  it('reads the largest ack the rules allow, under its byte cap', () => {
    const ids = many(ChatLimits.pushEvents, (i) => idOf(i))
    // 512 three-byte characters: the longest message in bytes.
    const largest = {
      result: 2,
      code: 'c'.repeat(64),
      message: '€'.repeat(512),
      committed: ids,
      refused: ids,
    }
    expect(decodeChatAck(ChatAck.encode(largest))).toEqual(largest)
  })

  it.each(['committed', 'refused'] as const)(
    `reads ${ChatLimits.pushEvents} %s ids and refuses one more as malformed`,
    (field) => {
      const ids = many(ChatLimits.pushEvents + 1, (i) => idOf(i % 256))
      expect(decodeChatAck(withAck({ [field]: ids.slice(1) }))[field]).toHaveLength(ChatLimits.pushEvents)
      expectRefused(() => decodeChatAck(withAck({ [field]: ids })), 'malformed')
    },
  )

  it('accepts an empty ack as ok, and every result', () => {
    expect(decodeChatAck(new Uint8Array(0)).result).toBe(ChatResult.Ok)
    for (const result of Object.values(ChatResult))
      expect(decodeChatAck(withAck({ result })).result).toBe(result)
  })
})

describe('history rules', () => {
  it.each<[string, Partial<HistoryRequest>, string]>([
    ['no certificate', { certificate: new Uint8Array(0) }, 'certificate'],
    ['a since past 2^53', { since: TOO_BIG }, 'since'],
    ['a 15-byte after', { after: new Uint8Array(15) }, 'after'],
    ['limit 0 (missing)', { limit: 0 }, 'limit'],
    [`limit ${ChatLimits.historyEvents + 1}`, { limit: ChatLimits.historyEvents + 1 }, 'limit'],
  ])('refuses a history request with %s', (_what, over, field) => {
    expectRefused(() => decodeHistoryRequest(withHistoryRequest(over)), 'invalid_field', field)
  })

  it('accepts a first page (no after), limits 1 and the cap, and a 2 KiB certificate', () => {
    expect(decodeHistoryRequest(withHistoryRequest({ after: new Uint8Array(0) })).after).toHaveLength(0)
    expect(decodeHistoryRequest(withHistoryRequest({ limit: 1 })).limit).toBe(1)
    const widest = withHistoryRequest({
      certificate: new Uint8Array(Limits.certificateBytes),
      since: TOO_BIG - 1n,
      limit: ChatLimits.historyEvents,
    })
    expect(decodeHistoryRequest(widest).limit).toBe(ChatLimits.historyEvents)
  })

  it.each<[string, Partial<HistoryResponse>, string]>([
    ['result 1', { result: 1 }, 'result'],
    ['a code over 64 characters', { code: 'c'.repeat(65) }, 'code'],
    ['a message over 512 characters', { message: 'm'.repeat(513) }, 'message'],
    ['an event over the event cap', { events: [new Uint8Array(ChatLimits.eventBytes + 1)] }, 'events'],
  ])('refuses a history response with %s', (_what, over, field) => {
    expectRefused(() => decodeHistoryResponse(withHistoryResponse(over)), 'invalid_field', field)
  })

  it(`reads ${ChatLimits.historyEvents} events and refuses one more as malformed; no events is a last page`, () => {
    const events = many(ChatLimits.historyEvents + 1, () => new Uint8Array(4))
    expect(decodeHistoryResponse(withHistoryResponse({ events: events.slice(1) })).events).toHaveLength(
      ChatLimits.historyEvents,
    )
    expectRefused(() => decodeHistoryResponse(withHistoryResponse({ events })), 'malformed')
    expect(decodeHistoryResponse(withHistoryResponse({ events: [], more: false })).events).toEqual([])
  })

  it.each<[string, (bytes: Uint8Array) => unknown, Uint8Array, number]>([
    ['history request', decodeHistoryRequest, withHistoryRequest({}), ChatLimits.historyRequestBytes],
    ['history response', decodeHistoryResponse, withHistoryResponse({}), ChatLimits.historyBytes],
    ['chat ack', decodeChatAck, withAck({}), ChatLimits.pushEvents * 40 + 1024],
  ])('refuses a %s one byte past its cap as too_large', (_what, decode, valid, cap) => {
    expectRefused(() => decode(padTo(valid, cap + 1)), 'too_large')
    expectRefused(() => decode(padTo(valid, cap)), 'malformed')
  })
})

describe('signed chat events', () => {
  const NETWORK = 'parley-test'
  const T0 = 1_700_000_000_000
  const DAY = 86_400_000
  let networkKey: Signer
  let deviceA: Signer
  let deviceB: Signer
  let certificateA: Uint8Array
  const options = () => ({ networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: T0 + 1000 })

  beforeAll(async () => {
    const newSigner = async () => signerOf(await generateKey())
    networkKey = await newSigner()
    deviceA = await newSigner()
    deviceB = await newSigner()
    certificateA = issueCertificate(
      {
        networkId: NETWORK,
        serial: 7n,
        username: 'alice',
        devicePublicKey: deviceA.publicKey,
        deviceName: 'Alice phone',
        policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
        organisation: '',
        notBefore: T0,
        notAfter: T0 + DAY,
      },
      networkKey,
    )
  })

  const input = (over: Partial<ChatEventInput> = {}): ChatEventInput => ({
    certificate: certificateA,
    id: idOf(9),
    kind: ChatKind.TEXT,
    to: 'bob',
    lamport: 3,
    sentAt: T0 + 500,
    text: 'lunch?',
    refs: [],
    ...over,
  })

  function trustError(run: () => unknown): TrustError {
    try {
      run()
    } catch (err) {
      if (err instanceof TrustError) return err
      throw err
    }
    throw new Error('expected a TrustError, but the event verified')
  }

  it('verifies an event signed by device A as from A’s certificate username and device', () => {
    const bytes = signChatEvent(input(), deviceA)
    const verified = verifyChatEvent(bytes, options())
    expect(verified).toMatchObject({
      from: 'alice',
      deviceId: deviceIdOf(deviceA.publicKey),
      deviceName: 'Alice phone',
      to: 'bob',
      text: 'lunch?',
      lamport: 3,
      status: PresenceStatus.OFFLINE,
    })
    expect(verified.devicePublicKey).toEqual(deviceA.publicKey)
    expect(verified.bytes).toBe(bytes)
  })

  it('refuses an event carrying A’s certificate but signed by device B', () => {
    const bytes = signChatEvent(input(), deviceB)
    expect(trustError(() => verifyChatEvent(bytes, options())).code).toBe('unknown_signer')
  })

  it('refuses B’s signature even under A’s key id', () => {
    const env = decodeEnvelope(signChatEvent(input(), deviceB), ChatLimits.eventBytes)
    const relabelled = SignedEnvelope.encode({ ...env, keyId: plain(keyId(deviceA.publicKey)) })
    expect(trustError(() => verifyChatEvent(relabelled, options())).code).toBe('bad_signature')
  })

  it('refuses a body A signed that breaks a rule, with the wire code', () => {
    const body = withEvent({ certificate: plain(certificateA), to: 'B O B' })
    const bytes = seal(PayloadType.ChatEvent, body, deviceA)
    const err = trustError(() => verifyChatEvent(bytes, options()))
    expect(err.code).toBe('invalid_field')
    expect(err.message).toMatch(/\bto\b/)
  })

  it('refuses A’s signature over another payload type', () => {
    const body = ChatEvent.encode({ ...event, certificate: plain(certificateA) })
    const bytes = seal(PayloadType.Presence, body, deviceA)
    expect(trustError(() => verifyChatEvent(bytes, options())).code).toBe('wrong_payload_type')
  })

  it('refuses an event one byte past the cap as too_large before reading it', () => {
    const bytes = padTo(signChatEvent(input(), deviceA), ChatLimits.eventBytes + 1)
    expect(trustError(() => verifyChatEvent(bytes, options())).code).toBe('too_large')
  })

  it('refuses a signed event with one byte changed', () => {
    const bytes = signChatEvent(input(), deviceA)
    const text = new TextEncoder().encode('lunch?')
    const at = Buffer.from(bytes).indexOf(Buffer.from(text))
    const altered = splice(bytes, at, 1, [0x4c]) // "Lunch?"
    expect(trustError(() => verifyChatEvent(altered, options())).code).toBe('bad_signature')
  })
})
