/**
 * What the device's local API says, as the browser sees it. A message is the
 * server's own MessageRow (src/chat/rows.ts, types only, nothing of Node), so
 * the two cannot drift; the rest still mirror ContactRow and ChatNotice in
 * src/chat/ (their modules need Node).
 */
import type { MessageRow, MessageState } from '../../src/chat/rows.js'

export type SessionState = 'setup' | 'starting' | 'ready'

export interface Session {
  state: SessionState
  username?: string
  deviceId?: string
  authority?: string
  /** Set once the device found itself revoked: it no longer sends or receives, and keeps its history. */
  signedOut?: SignedOut
}

/** When this device was revoked, and by whom (older authorities do not say). */
export interface SignedOut {
  at: number
  by?: 'owner' | 'admin'
}

export interface Credentials {
  username: string
  password: string
  deviceName?: string
}

export type ContactState = 'requested' | 'pending' | 'accepted' | 'declined' | 'blocked' | 'removed'
export type { MessageState }
/** What the user can choose; contacts see `invisible` as `offline`. */
export type Status = 'online' | 'away' | 'dnd' | 'invisible'
export const STATUSES: readonly Status[] = ['online', 'away', 'dnd', 'invisible']

export interface Contact {
  username: string
  state: ContactState
  greeting: string
  updatedAt: number
  /** online, away, dnd or offline */
  presence: string
  presenceAt: number
}

export interface ListedContact extends Contact {
  unread: number
}

/** A message as the device's local API sends it: the server's own type (src/chat/rows.ts), never a copy. */
export type Message = MessageRow

export interface ContactRequest extends Contact {
  held: Message[]
}

export type Notice =
  | { type: 'hello'; status: Status }
  | { type: 'message'; message: Message }
  | { type: 'message-updated'; message: Message }
  | { type: 'contact'; contact: Contact }
  | { type: 'presence'; username: string; status: string }
  | { type: 'typing'; username: string }
  /** `username` sent it: the contact, or ourselves from another device */
  | { type: 'call-signal'; username: string; deviceId: string; payload: string }
  /** the device's answer to a call signal this page sent on the socket */
  | { type: 'call-signal-sent'; id: string | number; devices: number; contactDevices: number }
  | { type: 'call-signal-error'; id?: string | number; error: { code: string; message: string } }
  /** this device was revoked just now */
  | ({ type: 'signed-out' } & SignedOut)

export const USERNAME = /^[a-z0-9._-]{3,32}$/
export const MIN_PASSWORD = 10
