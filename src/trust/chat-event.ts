/**
 * Chat events: every message, receipt, contact step and presence change is
 * signed by the sending device and carries its certificate, so any device
 * verifies it offline and learns the sender's username and device from the
 * network's own signature, never from the sender's word.
 */
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import {
  ChatEvent,
  ChatLimits,
  checkChatEventFields,
  decodeChatEventBody,
  type ChatEventFields,
} from '../wire/chat.js'
import { invalid } from '../wire/decode.js'
import { isBatched } from '../wire/batch.js'
import { decodeEnvelope } from '../wire/codec.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import type { Certificate, VerifyCertificateOptions } from './certificate.js'
import { signByDevice, verifyDeviceSigned } from './device-signed.js'
import { bodyOfBatched, verifyBatchedChatEvent } from './chat-batch.js'

export type ChatEventInput = Omit<ChatEventFields, 'status'> & { status?: PresenceStatus }

export interface VerifiedChatEvent extends ChatEventFields {
  /** The sender's username and device, from the certificate. */
  from: string
  deviceId: string
  deviceName: string
  certificate: Uint8Array
  /** The sending device's raw Ed25519 public key (offline sealing to it). */
  devicePublicKey: Uint8Array
  bytes: Uint8Array
  /** Signed as one of a batch (`parley/chat-batch/1`) rather than alone: its sender understands batches. */
  batched: boolean
}

/** An event's ChatEvent body: what it says, before any signature. */
export function chatEventBody(input: ChatEventInput): Uint8Array {
  return ChatEvent.encode({
    ...input,
    certificate: plain(input.certificate),
    id: plain(input.id),
    refs: input.refs.map(plain),
    lamport: BigInt(input.lamport),
    sentAt: BigInt(input.sentAt),
  })
}

/** An event signed alone (`parley/chat/1`): live events, and what the devices before issue 12 send. */
export function signChatEvent(input: ChatEventInput, device: Signer): Uint8Array {
  return signByDevice(PayloadType.ChatEvent, chatEventBody(input), device)
}

/**
 * Verifies an event signed alone or as one of a batch (src/trust/chat-batch.ts);
 * its first byte says which. Throws TrustError (bad certificate, bad
 * signature, bad batch proof) or a wire error code for a malformed event.
 */
export function verifyChatEvent(bytes: Uint8Array, opts: VerifyCertificateOptions): VerifiedChatEvent {
  if (isBatched(bytes)) {
    const { body, certificate } = verifyBatchedChatEvent(bytes, opts)
    return { ...body, ...senderOf(certificate), bytes, batched: true }
  }
  const { body, certificate } = verifyDeviceSigned(
    'chat event',
    bytes,
    PayloadType.ChatEvent,
    decodeChatEventBody,
    opts,
    ChatLimits.eventBytes,
  )
  return { ...body, ...senderOf(certificate), bytes, batched: false }
}

/**
 * An event this device has just made, from the fields it encoded into
 * `body`, without verifying or decoding anything (decoding it back, with the
 * canonical re-encode check, was the largest frame of chat.send left,
 * issue 12 §2); the fields get the decoder's checks, so a peer never gets
 * an event it would refuse. `certificate` is the device's own, verified by
 * the caller. `body` is what the store keeps until the batch is signed
 * (chat.ts). Throws WireDecodeError.
 */
export function ownChatEvent(
  input: ChatEventInput,
  body: Uint8Array,
  certificate: Certificate,
): VerifiedChatEvent {
  if (body.byteLength > ChatLimits.eventBytes) invalid('event', 'is too large')
  const fields = { ...input, status: input.status ?? PresenceStatus.OFFLINE }
  checkChatEventFields(fields)
  return { ...fields, ...senderOf(certificate), bytes: body, batched: true }
}

/** The ChatEvent body inside an event of either form, not verified (paging, re-signing). */
export function chatEventBodyOf(bytes: Uint8Array): Uint8Array {
  return isBatched(bytes) ? bodyOfBatched(bytes) : decodeEnvelope(bytes, ChatLimits.eventBytes).payload
}

function senderOf(c: Certificate) {
  return {
    from: c.username,
    deviceId: c.deviceId,
    deviceName: c.deviceName,
    certificate: c.bytes,
    devicePublicKey: c.devicePublicKey,
  }
}
