/**
 * Fuzzing the chat decoders (events, pushes, acks, history) and the verifier
 * of signed chat events: whatever the bytes, only the typed refusal escapes,
 * nothing hangs, input past a cap is refused before it is decoded, and a
 * changed event never verifies as something other than what was signed.
 * The offline-store decoders are fuzzed with the store.
 */
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate, verifyCertificate, type CertificateInput } from '../trust/certificate.js'
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
import { WireDecodeError } from './decode.js'
import {
  assertSameContent,
  decodesOrRefuses,
  mutated,
  randomBytes,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { PresenceStatus } from './generated/parley.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const RESIGN_RUNS = 1_000
const OVERSIZE_RUNS = 2_000

/** The chat ack's cap, as decodeChatAck sets it. */
const ACK_CAP = ChatLimits.pushEvents * 40 + 1024

// ---- Valid documents --------------------------------------------------------

const T0 = 1_700_000_000_000
const NOW = T0 + 60_000
const NETWORK = 'parley-fuzz'
const USERS = ['alice', 'bob.b', 'carol_c-1']

let networkKey: Signer
let devices: Signer[] = []
let certificates: Uint8Array[] = []
const verifyOptions = () => ({ networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: NOW })

function certificateFields(device: Signer, i: number): CertificateInput {
  return {
    networkId: NETWORK,
    serial: BigInt(i + 1),
    username: USERS[i % USERS.length]!,
    devicePublicKey: device.publicKey,
    deviceName: ['Phone', 'Laptop at work', 'x'][i % 3]!,
    policy: { maySupernode: false, mayRelay: true, maySendFiles: i % 2 === 0 },
    organisation: i % 2 === 0 ? '' : 'Acme Ltd',
    notBefore: T0,
    notAfter: T0 + (i + 1) * 86_400_000,
  }
}

const idOf = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i) % 256)

function eventInputs(): Array<[ChatEventInput, number]> {
  const kinds = [ChatKind.TEXT, ChatKind.EDIT, ChatKind.READ, ChatKind.CONTACT_REQUEST, ChatKind.PRESENCE]
  const texts = ['hi', '', 'naïve café — 😀 ✓', 'x'.repeat(2000), 'Grüße aus Köln']
  return kinds.map((kind, i) => [
    {
      certificate: certificates[i % certificates.length]!,
      id: idOf(i),
      kind,
      to: USERS[(i + 1) % USERS.length]!,
      lamport: i * 1000,
      sentAt: T0 + i,
      text: texts[i]!,
      refs: Array.from({ length: i }, (_, j) => idOf(100 + j)),
      status: kind === ChatKind.PRESENCE ? PresenceStatus.AWAY : PresenceStatus.OFFLINE,
    },
    i % devices.length,
  ])
}

const signed: Uint8Array[] = []
const signers = new Map<Uint8Array, Signer>()
const bodies = {
  event: [] as Uint8Array[],
  push: [] as Uint8Array[],
  ack: [] as Uint8Array[],
  historyRequest: [] as Uint8Array[],
  historyResponse: [] as Uint8Array[],
}

beforeAll(async () => {
  const newSigner = async () => signerOf(await generateKey())
  networkKey = await newSigner()
  devices = await Promise.all([0, 1, 2].map(newSigner))
  certificates = devices.map((d, i) => issueCertificate(certificateFields(d, i), networkKey))
  for (const [input, d] of eventInputs()) {
    const bytes = signChatEvent(input, devices[d]!)
    signed.push(bytes)
    signers.set(bytes, devices[d]!)
  }

  const events = signed.map((s) => plain(s))
  bodies.event = signed.map((s) => decodeEnvelope(s, ChatLimits.eventBytes).payload)
  bodies.push = [events.slice(0, 1), events].map((e) => ChatPush.encode({ events: e }))
  bodies.ack = [
    { result: ChatResult.Ok, code: '', message: '', committed: [plain(idOf(0))], refused: [] },
    {
      result: ChatResult.Refused,
      code: 'bad_signature',
      message: 'not signed by its device',
      committed: [0, 1, 2].map((i) => plain(idOf(i))),
      refused: [plain(idOf(3))],
    },
    { result: ChatResult.Busy, code: '', message: 'später', committed: [], refused: [] },
  ].map((a) => ChatAck.encode(a))
  bodies.historyRequest = certificates.map((c, i) =>
    HistoryRequest.encode({
      certificate: plain(c),
      since: BigInt(T0 - i * 1000),
      after: i === 0 ? new Uint8Array(0) : plain(idOf(i)),
      limit: [1, 100, ChatLimits.historyEvents][i]!,
    }),
  )
  bodies.historyResponse = [
    { result: ChatResult.Ok, code: '', message: '', events, more: true },
    { result: ChatResult.Ok, code: '', message: '', events: [], more: false },
    { result: ChatResult.Refused, code: 'policy_forbids', message: 'another user', events: [], more: false },
  ].map((r) => HistoryResponse.encode(r))
})

// ---- Random inputs past the shared pool ---------------------------------------

/**
 * fuzz-support's random windows come from a 2 MiB pool, too small for the
 * 2 MiB push and history caps plus overshoot. This pool is a seeded xorshift
 * like it, large enough for every cap here, so a failing case still replays.
 */
const SHARED_POOL_BYTES = 2 * 1024 * 1024
const WIDE_POOL_BYTES = Math.max(ChatLimits.pushBytes, ChatLimits.historyBytes) + 4096
const WIDE_POOL = (() => {
  const words = new Uint32Array(WIDE_POOL_BYTES / 4)
  let x = 0x2545f491
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return new Uint8Array(words.buffer)
})()

function wideWindow(minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.nat(WIDE_POOL.byteLength - maxLength))
    .map(([length, offset]) => WIDE_POOL.subarray(offset, offset + length))
}

/** As fuzz-support's decoderInputs: random bytes up to the cap + 100, and mutations of valid encodings. */
function inputs(cap: number, corpus: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const random =
    cap + 100 <= SHARED_POOL_BYTES
      ? randomBytes(cap)
      : fc.oneof(
          fc.uint8Array({ maxLength: 128 }),
          wideWindow(0, cap + 100),
          wideWindow(Math.max(0, cap - 100), cap + 100),
        )
  return fc.oneof(
    random,
    mutated(corpus).map((m) => m.bytes),
  )
}

// ---- Properties -----------------------------------------------------------------

const decoders = [
  ['decodeChatEventBody', decodeChatEventBody, ChatLimits.eventBytes, ChatEvent, () => bodies.event],
  ['decodeChatPush', decodeChatPush, ChatLimits.pushBytes, ChatPush, () => bodies.push],
  ['decodeChatAck', decodeChatAck, ACK_CAP, ChatAck, () => bodies.ack],
  [
    'decodeHistoryRequest',
    decodeHistoryRequest,
    ChatLimits.historyRequestBytes,
    HistoryRequest,
    () => bodies.historyRequest,
  ],
  [
    'decodeHistoryResponse',
    decodeHistoryResponse,
    ChatLimits.historyBytes,
    HistoryResponse,
    () => bodies.historyResponse,
  ],
] as const

describe('fuzz corpus', () => {
  // Mutations of documents that were never valid would prove little.
  it('starts from documents that decode and verify', () => {
    expect(() => {
      for (const [, decode, , , corpus] of decoders) corpus().forEach((b) => decode(b))
      signed.forEach((b) => verifyChatEvent(b, verifyOptions()))
    }).not.toThrow()
  })
})

describe('decoders take any bytes', () => {
  it.each(decoders)(
    '%s returns a value or a WireDecodeError for random and mutated input',
    (_name, decode, cap, _codec, corpus) => {
      fc.assert(
        fc.property(inputs(cap, corpus()), (bytes) => decodesOrRefuses(decode, bytes)),
        { numRuns: DECODER_RUNS },
      )
    },
    60_000,
  )
})

describe('caps come before decoding', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each(decoders)(
    '%s refuses anything past its cap as too_large without decoding it',
    (_name, decode, cap, codec) => {
      const decodeSpy = vi.spyOn(codec, 'decode')
      fc.assert(
        fc.property(wideWindow(cap + 1, cap + 1000), (bytes) => {
          try {
            decode(bytes)
          } catch (err) {
            if (err instanceof WireDecodeError && err.code === 'too_large') return
            throw err
          }
          throw new Error(`${bytes.byteLength} bytes, over the ${cap}-byte cap, were read`)
        }),
        { numRuns: OVERSIZE_RUNS },
      )
      expect(decodeSpy).not.toHaveBeenCalled()
    },
  )

  it('verifyChatEvent refuses an envelope past the event cap as too_large without decoding it', () => {
    const decodeSpy = vi.spyOn(SignedEnvelope, 'decode')
    fc.assert(
      fc.property(wideWindow(ChatLimits.eventBytes + 1, ChatLimits.eventBytes + 1000), (bytes) => {
        try {
          verifyChatEvent(bytes, verifyOptions())
        } catch (err) {
          if (err instanceof TrustError && err.code === 'too_large') return
          throw err
        }
        throw new Error(`a ${bytes.byteLength}-byte event verified`)
      }),
      { numRuns: OVERSIZE_RUNS },
    )
    expect(decodeSpy).not.toHaveBeenCalled()
  })
})

describe('the verifier refuses altered events with typed errors', () => {
  it('verifyChatEvent throws only TrustError and never accepts altered content', () => {
    fc.assert(
      fc.property(mutated(signed, 2), ({ original, bytes }) => {
        const event = verifiesOrRefuses([TrustError], bytes, () => verifyChatEvent(bytes, verifyOptions()))
        if (event !== undefined)
          assertSameContent('chat event', event, verifyChatEvent(original, verifyOptions()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  // What a buggy or hostile device could sign with its own key: the signature
  // checks out, so the decoding, the certificate inside and the rules after it
  // must still refuse with a TrustError and accept only what decodes, with the
  // sender taken from the certificate.
  it('verifyChatEvent refuses signed garbage with TrustError only', () => {
    const keyOf = new Map<Uint8Array, Signer>(
      signed.map((s) => [decodeEnvelope(s, ChatLimits.eventBytes).payload, signers.get(s)!]),
    )
    const resigned = mutated([...keyOf.keys()], 2).map(({ original, bytes: body }) => ({
      body,
      bytes: seal(PayloadType.ChatEvent, body, keyOf.get(original)!),
    }))
    fc.assert(
      fc.property(resigned, ({ body, bytes }) => {
        const event = verifiesOrRefuses([TrustError], bytes, () => verifyChatEvent(bytes, verifyOptions()))
        if (event === undefined) return
        const fields = decodeChatEventBody(body)
        const cert = verifyCertificate(fields.certificate, verifyOptions())
        assertSameContent('chat event', event, {
          ...fields,
          from: cert.username,
          deviceId: cert.deviceId,
          deviceName: cert.deviceName,
          certificate: cert.bytes,
          devicePublicKey: cert.devicePublicKey,
          batched: false,
        })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })
})
