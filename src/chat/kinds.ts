/**
 * The chat core's shared vocabulary: what the user's interfaces hear
 * (ChatNotice), which kinds of events are kept, and presence status names.
 * Its own module, so that chat.ts and apply.ts both use it without importing
 * each other.
 */
import { ChatKind } from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import type { ContactRow, MessageRow } from './store.js'

/** What the user's interfaces hear about (the CLI's `chat`, the web client's live events). */
export type ChatNotice =
  | { type: 'message'; message: MessageRow }
  | { type: 'message-updated'; message: MessageRow }
  | { type: 'contact'; contact: ContactRow }
  | { type: 'presence'; username: string; status: string }
  | { type: 'typing'; username: string }
  /** A user's profile (name, mood, avatar) changed: ours or a contact's. */
  | { type: 'profile'; username: string }
  /** A WebRTC offer, answer or ICE candidate from a contact's device (live only). */
  | { type: 'call-signal'; username: string; deviceId: string; payload: string }
  /** A contact's answer to a file we offered. */
  | { type: 'file-answer'; username: string; deviceId: string; offer: string; answer: string }

export const STORED = new Set([
  ChatKind.TEXT,
  ChatKind.EDIT,
  ChatKind.DELETE,
  ChatKind.DELIVERED,
  ChatKind.READ,
  ChatKind.CONTACT_REQUEST,
  ChatKind.CONTACT_ACCEPT,
  ChatKind.CONTACT_DECLINE,
  ChatKind.CONTACT_REMOVE,
  ChatKind.CONTACT_BLOCK,
  ChatKind.CALL_EVENT,
  ChatKind.FILE_OFFER,
  ChatKind.FILE_ANSWER,
  ChatKind.REACTION,
  ChatKind.PROFILE,
])

export const STATUS_NAMES: Record<string, PresenceStatus> = {
  online: PresenceStatus.ONLINE,
  away: PresenceStatus.AWAY,
  dnd: PresenceStatus.DO_NOT_DISTURB,
  offline: PresenceStatus.OFFLINE,
}

export function statusName(s: PresenceStatus): string {
  return Object.entries(STATUS_NAMES).find(([, v]) => v === s)?.[0] ?? 'offline'
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
