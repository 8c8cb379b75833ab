/**
 * Chat events: every message, receipt, contact step and presence change is
 * signed by the sending device and carries its certificate, so any device
 * verifies it offline and learns the sender's username and device from the
 * network's own signature, never from the sender's word.
 */
import { PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { plain } from '../wire/bytes.js'
import { ChatEvent, ChatLimits, decodeChatEventBody, type ChatEventFields } from '../wire/chat.js'
import { decodeEnvelope } from '../wire/codec.js'
import type { PresenceStatus } from '../wire/generated/parley.js'
import type { Certificate, VerifyCertificateOptions } from './certificate.js'
import { signByDevice, verifyDeviceSigned } from './device-signed.js'

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
}

export function signChatEvent(input: ChatEventInput, device: Signer): Uint8Array {
  const body = ChatEvent.encode({
    ...input,
    certificate: plain(input.certificate),
    id: plain(input.id),
    refs: input.refs.map(plain),
    lamport: BigInt(input.lamport),
    sentAt: BigInt(input.sentAt),
  })
  return signByDevice(PayloadType.ChatEvent, body, device)
}

/** Throws TrustError (bad certificate, bad signature) or a wire error code for a malformed event. */
export function verifyChatEvent(bytes: Uint8Array, opts: VerifyCertificateOptions): VerifiedChatEvent {
  const { body, certificate } = verifyDeviceSigned(
    'chat event',
    bytes,
    PayloadType.ChatEvent,
    decodeChatEventBody,
    opts,
    ChatLimits.eventBytes,
  )
  return { ...body, ...senderOf(certificate), bytes }
}

/**
 * An event this device has just signed, read back without verifying its own
 * signature again; `certificate` is the device's own, verified by the caller
 * (a third of chat.send's CPU was this verification, bench:chat).
 */
export function ownChatEvent(bytes: Uint8Array, certificate: Certificate): VerifiedChatEvent {
  const body = decodeChatEventBody(decodeEnvelope(bytes, ChatLimits.eventBytes).payload)
  return { ...body, ...senderOf(certificate), bytes }
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
