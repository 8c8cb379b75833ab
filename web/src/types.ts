/**
 * What the device's local API says, as the browser sees it. These mirror
 * ContactRow, MessageRow and ChatNotice in src/chat/ (the web client is
 * bundled apart from the node's code, so it restates them rather than
 * importing modules that need Node).
 */

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
export type MessageState = 'sending' | 'sent' | 'delivered' | 'read' | 'received'
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

export interface Message {
  /** 32 hex digits */
  id: string
  /** the other user of the conversation */
  conversation: string
  sender: string
  senderDevice: string
  lamport: number
  sentAt: number
  text: string
  edited: boolean
  deleted: boolean
  state: MessageState
  /** from someone who is not a contact yet: shown with the request, never in a conversation */
  held: boolean
  /** 'call': a call event, its text is `{call, what, durationMs}` */
  kind?: 'text' | 'call' | 'file'
}

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
  /** this device was revoked just now */
  | ({ type: 'signed-out' } & SignedOut)

export const USERNAME = /^[a-z0-9._-]{3,32}$/
export const MIN_PASSWORD = 10
