/**
 * The chat decoders rule by rule (events, pushes, acks, history) with their
 * size caps, and signed chat events: who they say sent them, and refusal when
 * the signer is not the certificate's device. The exact encodings are tested
 * byte by byte in chat.bytes.test.ts; the offline-store decoders elsewhere.
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
  ChatResult,
  decodeChatAck,
  decodeChatEventBody,
  decodeChatPush,
  decodeHistoryRequest,
  decodeHistoryResponse,
  type HistoryRequest,
  type HistoryResponse,
} from './chat.js'
import {
  event,
  idOf,
  many,
  pushOf,
  withAck,
  withEvent,
  withHistoryRequest,
  withHistoryResponse,
} from './chat.fixtures.js'
import { decodeEnvelope, SignedEnvelope } from './codec.js'
import { expectRefused, padTo, splice, TOO_BIG } from './fuzz-support.js'
import { PresenceStatus } from './generated/parley.js'
import { Limits } from './limits.js'

/** The enums' members, without the `codec` the generated namespace merges in. */
const KINDS = Object.values(ChatKind).filter((v): v is ChatKind => typeof v === 'string')
const STATUSES = Object.values(PresenceStatus).filter((v): v is PresenceStatus => typeof v === 'string')
const utf8Bytes = (s: string) => new TextEncoder().encode(s).byteLength

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
