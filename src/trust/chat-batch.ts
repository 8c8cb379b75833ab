/**
 * Batch-signed chat events (issue 12 §2, src/trust/batch.ts): the events
 * one group commit of a device makes (src/chat/commit.ts) are signed once
 * (`parley/chat-batch/1`), and each travels and is stored with its proof.
 */
import { PayloadType, seal } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { CHAT_BATCH, decodeChatEventBody, type ChatEventFields } from '../wire/chat.js'
import { decodeBatchSigned } from '../wire/batch.js'
import type { Certificate, VerifyCertificateOptions } from './certificate.js'
import { signBatch, verifyBatchSigned } from './batch.js'

/** Signs ChatEvent bodies as one batch (at most 256); each event's batch-signed bytes, in the same order. */
export function signChatBatch(bodies: readonly Uint8Array[], device: Signer): Uint8Array[] {
  return signBatch(PayloadType.ChatBatch, CHAT_BATCH, bodies, device)
}

/** Verifies a batch-signed event; throws TrustError (batch.ts says which codes). */
export function verifyBatchedChatEvent(
  bytes: Uint8Array,
  opts: VerifyCertificateOptions,
): { body: ChatEventFields; certificate: Certificate } {
  return verifyBatchSigned(bytes, PayloadType.ChatBatch, CHAT_BATCH, decodeChatEventBody, opts)
}

/** The ChatEvent body of a batch-signed event, not verified (paging, re-signing). */
export function bodyOfBatched(bytes: Uint8Array): Uint8Array {
  return decodeBatchSigned(bytes, CHAT_BATCH).body
}

/** The same event signed alone (`parley/chat/1`), for a device that predates batches: only for our own events. */
export function signedAlone(bytes: Uint8Array, device: Signer): Uint8Array {
  return seal(PayloadType.ChatEvent, bodyOfBatched(bytes), device)
}
