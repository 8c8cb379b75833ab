/**
 * Capped, canonical, validating decoders for chat, history and the offline
 * store. Like overlay.ts, nothing but WireDecodeError escapes them.
 */
import { checkBytes, checkString, decodeCapped, invalid, time } from './decode.js'
import { isUsername } from './fields.js'
import type { PresenceStatus } from './generated/parley.js'
import {
  ChatAck,
  ChatEvent,
  ChatKind,
  ChatPush,
  HistoryRequest,
  HistoryResponse,
  OfflineRequest,
  OfflineResponse,
  SealedCopy,
  SealedItem,
  TurnRequest,
  TurnResponse,
} from './generated/parley.js'
import type { BatchCaps } from './batch.js'
import { OverlayLimits } from './limits.js'
import { ACCESS_ENVELOPE_BYTES, DEPOSIT_FIELD_BYTES } from './offline-signed.js'

export {
  ChatAck,
  ChatEvent,
  ChatKind,
  ChatPush,
  HistoryRequest,
  HistoryResponse,
  OfflineRequest,
  OfflineResponse,
  SealedCopy,
  SealedItem,
  TurnRequest,
  TurnResponse,
}

export const ChatLimits = {
  /** Message text, in UTF-8 bytes. */
  textBytes: 64 * 1024,
  idBytes: 16,
  refs: 512,
  /** A signed event: text, refs, certificate and envelope. */
  eventBytes: 64 * 1024 + 512 * 18 + 4 * 1024,
  pushEvents: 256,
  pushBytes: 2 * 1024 * 1024,
  ackBytes: 2 * 512 * 20 + 1024,
  historyRequestBytes: 4 * 1024,
  historyEvents: 256,
  historyBytes: 2 * 1024 * 1024,
  /** Copies of one sealed item: one per recipient device. */
  copies: 16,
  sealedItemBytes: 96 * 1024,
  offlineItems: 64,
  offlineIds: 1024,
  offlineBytes: 4 * 1024 * 1024,
  peerIdChars: OverlayLimits.peerIdChars,
} as const

/**
 * Batch-signed chat events (src/trust/chat-batch.ts): 256 under one root (a
 * group commit signs more as several batches), each within the event cap
 * (its slack for the envelope covers the proof).
 */
export const CHAT_BATCH: BatchCaps = { what: 'chat event', documents: 256, bytes: ChatLimits.eventBytes }

const encoder = new TextEncoder()
const KINDS = new Set<unknown>(Object.values(ChatKind).filter((v) => typeof v === 'string'))

export interface ChatEventFields {
  certificate: Uint8Array
  id: Uint8Array
  kind: ChatKind
  to: string
  lamport: number
  sentAt: number
  text: string
  refs: Uint8Array[]
  status: PresenceStatus
}

/**
 * The field checks of a chat event body, without decoding: the decoder
 * runs them on what it reads, and the sender on what it has just encoded
 * (src/trust/chat-event.ts, ownChatEvent), so that it never sends an event
 * its peers would refuse. Throws WireDecodeError.
 */
export function checkChatEventFields(
  e: Pick<ChatEventFields, 'certificate' | 'id' | 'kind' | 'to' | 'text' | 'refs'>,
): void {
  if (e.certificate.byteLength === 0) invalid('certificate', 'is missing')
  checkBytes('id', e.id, ChatLimits.idBytes)
  if (!KINDS.has(e.kind) || e.kind === ChatKind.CHAT_NONE) invalid('kind', 'is unknown')
  if (!isUsername(e.to)) invalid('to', 'is not a valid username')
  if (encoder.encode(e.text).byteLength > ChatLimits.textBytes) invalid('text', 'is over 64 KiB')
  if (e.refs.length > ChatLimits.refs) invalid('refs', `holds more than ${ChatLimits.refs}`)
  for (const r of e.refs) checkBytes('refs', r, ChatLimits.idBytes)
}

/** The body of a signed chat event, checked field by field. */
export function decodeChatEventBody(bytes: Uint8Array): ChatEventFields {
  const e = decodeCapped<ChatEvent>('chat event', ChatEvent, bytes, ChatLimits.eventBytes, {
    refs: ChatLimits.refs,
  })
  checkChatEventFields(e)
  return {
    certificate: e.certificate,
    id: e.id,
    kind: e.kind,
    to: e.to,
    lamport: time('lamport', e.lamport),
    sentAt: time('sentAt', e.sentAt),
    text: e.text,
    refs: e.refs,
    status: e.status,
  }
}

export function decodeChatPush(bytes: Uint8Array): ChatPush {
  const p = decodeCapped<ChatPush>('chat push', ChatPush, bytes, ChatLimits.pushBytes, {
    events: ChatLimits.pushEvents,
  })
  if (p.events.length === 0) invalid('events', 'is empty')
  for (const e of p.events)
    if (e.byteLength > ChatLimits.eventBytes) invalid('events', 'holds an oversized event')
  return p
}

export const ChatResult = { Ok: 0, Refused: 2, Busy: 3 } as const

export function decodeChatAck(bytes: Uint8Array): ChatAck {
  const a = decodeCapped<ChatAck>('chat ack', ChatAck, bytes, ChatLimits.pushEvents * 40 + 1024, {
    committed: ChatLimits.pushEvents,
    refused: ChatLimits.pushEvents,
  })
  checkResult(a.result)
  checkString('code', a.code, 64)
  checkString('message', a.message, 512)
  for (const id of a.committed) checkBytes('committed', id, ChatLimits.idBytes)
  for (const id of a.refused) checkBytes('refused', id, ChatLimits.idBytes)
  return a
}

export function decodeHistoryRequest(bytes: Uint8Array): HistoryRequest {
  const r = decodeCapped<HistoryRequest>(
    'history request',
    HistoryRequest,
    bytes,
    ChatLimits.historyRequestBytes,
  )
  if (r.certificate.byteLength === 0) invalid('certificate', 'is missing')
  time('since', r.since)
  if (r.after.byteLength !== 0) checkBytes('after', r.after, ChatLimits.idBytes)
  if (r.limit < 1 || r.limit > ChatLimits.historyEvents)
    invalid('limit', `must be 1–${ChatLimits.historyEvents}`)
  return r
}

export function decodeHistoryResponse(bytes: Uint8Array): HistoryResponse {
  const r = decodeCapped<HistoryResponse>(
    'history response',
    HistoryResponse,
    bytes,
    ChatLimits.historyBytes,
    {
      events: ChatLimits.historyEvents,
    },
  )
  checkResult(r.result)
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  for (const e of r.events)
    if (e.byteLength > ChatLimits.eventBytes) invalid('events', 'holds an oversized event')
  return r
}

export const OfflineKind = { Deposit: 1, Fetch: 2, Ack: 3, Store: 4, Take: 5, Drop: 6 } as const
export const OfflineResult = ChatResult

function checkItem(item: SealedItem): void {
  checkBytes('items.id', item.id, ChatLimits.idBytes)
  if (!isUsername(item.recipient)) invalid('items.recipient', 'is not a valid username')
  if (item.sender !== '' && !isUsername(item.sender)) invalid('items.sender', 'is not a valid username')
  time('items.storedAt', item.storedAt)
  checkBytes('items.nonce', item.nonce, 24)
  if (item.ciphertext.byteLength === 0) invalid('items.ciphertext', 'is empty')
  if (item.ciphertext.byteLength > ChatLimits.eventBytes + 16) invalid('items.ciphertext', 'is too large')
  if (item.copies.length === 0) invalid('items.copies', 'is empty')
  for (const c of item.copies) {
    checkString('items.copies.deviceId', c.deviceId, ChatLimits.peerIdChars, 1)
    checkBytes('items.copies.ephemeral', c.ephemeral, 32)
    // A 32-byte key, its 16-byte tag, and the 24-byte nonce it is sealed under.
    checkBytes('items.copies.wrapped', c.wrapped, 72)
  }
  // Verified by the replica (src/offline/deposit.ts); here only its size.
  if (item.deposit.byteLength > DEPOSIT_FIELD_BYTES) invalid('items.deposit', 'is too large')
}

export function decodeOfflineRequest(bytes: Uint8Array): OfflineRequest {
  const r = decodeCapped<OfflineRequest>('offline request', OfflineRequest, bytes, ChatLimits.offlineBytes, {
    items: ChatLimits.offlineItems,
    items$: { copies: ChatLimits.copies },
    ids: ChatLimits.offlineIds,
  })
  if (r.kind < 1 || r.kind > 6) invalid('kind', 'is unknown')
  for (const item of r.items) checkItem(item)
  if (r.recipient !== '' && !isUsername(r.recipient)) invalid('recipient', 'is not a valid username')
  checkString('deviceId', r.deviceId, ChatLimits.peerIdChars)
  for (const id of r.ids) checkBytes('ids', id, ChatLimits.idBytes)
  if (
    (r.kind === OfflineKind.Take || r.kind === OfflineKind.Drop) &&
    (r.recipient === '' || r.deviceId === '')
  )
    invalid('recipient', 'and deviceId are required')
  // The recipient device's signed grant (src/offline/access.ts): only where a device's copies are read or deleted.
  if (r.access.byteLength > ACCESS_ENVELOPE_BYTES) invalid('access', 'is too large')
  if (r.access.byteLength > 0 && (r.kind === OfflineKind.Deposit || r.kind === OfflineKind.Store))
    invalid('access', 'is for fetch, ack, take and drop only')
  return r
}

export function decodeOfflineResponse(bytes: Uint8Array): OfflineResponse {
  const r = decodeCapped<OfflineResponse>(
    'offline response',
    OfflineResponse,
    bytes,
    ChatLimits.offlineBytes,
    {
      items: ChatLimits.offlineItems,
      items$: { copies: ChatLimits.copies },
    },
  )
  checkResult(r.result)
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  for (const item of r.items) checkItem(item)
  return r
}

function checkResult(result: number): void {
  if (result !== 0 && result !== 2 && result !== 3) invalid('result', 'is unknown')
}

export const TurnLimits = { requestBytes: 64, responseBytes: 4096, urls: 8, urlChars: 256 } as const

export function decodeTurnRequest(bytes: Uint8Array): TurnRequest {
  const r = decodeCapped<TurnRequest>('turn request', TurnRequest, bytes, TurnLimits.requestBytes)
  if (r.version !== 1) invalid('version', 'is not 1')
  return r
}

export function decodeTurnResponse(bytes: Uint8Array): TurnResponse {
  const r = decodeCapped<TurnResponse>('turn response', TurnResponse, bytes, TurnLimits.responseBytes, {
    urls: TurnLimits.urls,
  })
  if (r.result !== 0 && r.result !== 2) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  for (const u of r.urls) {
    checkString('urls', u, TurnLimits.urlChars, 1)
    if (!/^turns?:[^\s]+$/.test(u)) invalid('urls', 'is not a turn: URL')
  }
  checkString('username', r.username, 256)
  checkString('credential', r.credential, 256)
  return r
}
