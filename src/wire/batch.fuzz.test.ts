/**
 * Fuzzing the decoders of batch-signed documents (issue 12 §2: chat events,
 * offline deposits) and their verifiers: whatever the bytes, only the typed refusal escapes, input past a
 * cap is refused before it is decoded, and a changed event never verifies as
 * something other than what was signed.
 */
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate } from '../trust/certificate.js'
import { signChatBatch } from '../trust/chat-batch.js'
import { chatEventBody, verifyChatEvent } from '../trust/chat-event.js'
import { TrustError } from '../trust/errors.js'
import { signDepositBatch, verifyDeposit } from '../offline/deposit.js'
import { OfflineAuthError } from '../offline/errors.js'
import { DEPOSIT_BATCH } from './offline-signed.js'
import { CHAT_BATCH, ChatKind } from './chat.js'
import { BatchLimits, BatchRoot, BatchSigned, decodeBatchRoot, decodeBatchSigned } from './batch.js'
import { decodeEnvelope } from './codec.js'
import { WireDecodeError } from './decode.js'
import {
  assertSameContent,
  decoderInputs,
  decodesOrRefuses,
  mutated,
  randomBytes,
  verifiesOrRefuses,
} from './fuzz-support.js'
import { PresenceStatus } from './generated/parley.js'

const DECODER_RUNS = 50_000
const VERIFY_RUNS = 3_000
const OVERSIZE_RUNS = 1_000

const T0 = 1_700_000_000_000
const NETWORK = 'parley-fuzz'
let network: Signer
const verifyOptions = () => ({ networkPublicKey: network.publicKey, networkId: NETWORK, now: T0 + 60_000 })

const events: Uint8Array[] = []
const deposits: Uint8Array[] = []
const depositItem = {
  id: new Uint8Array(16).fill(7),
  recipient: 'dave',
  nonce: new Uint8Array(24).fill(1),
  ciphertext: new Uint8Array(100).fill(2),
  copies: [
    { deviceId: 'dave-phone', ephemeral: new Uint8Array(32).fill(3), wrapped: new Uint8Array(72).fill(4) },
  ],
}
const roots: Uint8Array[] = []

beforeAll(async () => {
  network = signerOf(await generateKey())
  for (const [d, size] of [1, 2, 7].entries()) {
    const device = signerOf(await generateKey())
    const certificate = issueCertificate(
      {
        networkId: NETWORK,
        serial: BigInt(d + 1),
        username: ['alice', 'bob', 'carol'][d]!,
        devicePublicKey: device.publicKey,
        deviceName: 'Phone',
        policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
        organisation: '',
        notBefore: T0,
        notAfter: T0 + 86_400_000,
      },
      network,
    )
    const bodies = Array.from({ length: size }, (_, i) =>
      chatEventBody({
        certificate,
        id: Uint8Array.from({ length: 16 }, (_, k) => d * 64 + i * 8 + k),
        kind: i % 2 === 0 ? ChatKind.TEXT : ChatKind.READ,
        to: 'dave',
        lamport: i + 1,
        sentAt: T0 + i,
        text: i % 2 === 0 ? `message ${i} ✓` : '',
        refs: i % 2 === 0 ? [] : [new Uint8Array(16)],
        status: PresenceStatus.OFFLINE,
      }),
    )
    deposits.push(
      ...signDepositBatch(
        Array.from({ length: size }, (_, i) => ({
          ...depositItem,
          id: depositItem.id.map((b: number) => b + i),
        })),
        certificate,
        device,
      ),
    )
    const batch = signChatBatch(bodies, device)
    events.push(...batch)
    roots.push(decodeEnvelope(decodeBatchSigned(batch[0]!, CHAT_BATCH).root).payload)
  }
})

const decodeEvent = (b: Uint8Array) => decodeBatchSigned(b, CHAT_BATCH)
const decodeRoot = (b: Uint8Array) => decodeBatchRoot(b, CHAT_BATCH)
const decodeDeposit = (b: Uint8Array) => decodeBatchSigned(b, DEPOSIT_BATCH)
const decoders = [
  ['decodeBatchSigned (offline deposits)', decodeDeposit, DEPOSIT_BATCH.bytes, BatchSigned, () => deposits],
  ['decodeBatchSigned (chat events)', decodeEvent, CHAT_BATCH.bytes, BatchSigned, () => events],
  ['decodeBatchRoot (chat events)', decodeRoot, BatchLimits.rootBodyBytes, BatchRoot, () => roots],
] as const

describe('fuzz corpus', () => {
  it('starts from events that decode and verify', () => {
    expect(() => {
      for (const [, decode, , , corpus] of decoders) corpus().forEach((b) => decode(b))
      events.forEach((b) => verifyChatEvent(b, verifyOptions()))
    }).not.toThrow()
    expect(events.every((e) => verifyChatEvent(e, verifyOptions()).batched)).toBe(true)
  })
})

describe('decoders take any bytes', () => {
  it.each(decoders)(
    '%s returns a value or a WireDecodeError for random and mutated input',
    (_name, decode, cap, _codec, corpus) => {
      fc.assert(
        fc.property(decoderInputs(cap, corpus()), (bytes) => decodesOrRefuses(decode, bytes)),
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
    (_n, decode, cap, codec) => {
      const decodeSpy = vi.spyOn(codec, 'decode')
      fc.assert(
        fc.property(
          randomBytes(cap + 1000).filter((b) => b.byteLength > cap),
          (bytes) => {
            try {
              decode(bytes)
            } catch (err) {
              if (err instanceof WireDecodeError && err.code === 'too_large') return
              throw err
            }
            throw new Error(`${bytes.byteLength} bytes, over the ${cap}-byte cap, were read`)
          },
        ),
        { numRuns: OVERSIZE_RUNS },
      )
      expect(decodeSpy).not.toHaveBeenCalled()
    },
  )
})

describe('the verifier refuses altered batched events with typed errors', () => {
  it('verifyChatEvent throws only TrustError and never accepts altered content', () => {
    fc.assert(
      fc.property(mutated(events, 2), ({ original, bytes }) => {
        const event = verifiesOrRefuses([TrustError], bytes, () => verifyChatEvent(bytes, verifyOptions()))
        if (event !== undefined)
          assertSameContent('batched chat event', event, verifyChatEvent(original, verifyOptions()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })
})

describe('the deposit verifier refuses altered batch-signed deposits with typed errors', () => {
  it('verifyDeposit throws only OfflineAuthError, whatever the bytes of the deposit', () => {
    fc.assert(
      fc.property(mutated(deposits, 2), ({ bytes }) => {
        verifiesOrRefuses([OfflineAuthError], bytes, () => verifyDeposit(depositItem, bytes, verifyOptions()))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })
})
