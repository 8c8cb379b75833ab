/**
 * A message as the device's local API hands it out: the row of the
 * conversation view; and a contact's state. Types only, with nothing of Node in them, so that the
 * web client uses the very same definition (web/src/types.ts).
 */
export type MessageState = 'sending' | 'sent' | 'delivered' | 'read' | 'received'

export type MessageKind = 'text' | 'call' | 'file'

/** One emoji on a message, and who chose it (each user has at most one reaction on a message). */
export interface Reaction {
  emoji: string
  users: string[]
}

export interface MessageRow {
  id: string
  conversation: string
  sender: string
  senderDevice: string
  lamport: number
  sentAt: number
  text: string
  edited: boolean
  deleted: boolean
  state: MessageState
  held: boolean
  /** text: a message; call: a call event; file: a file offer (text holds their JSON). */
  kind: MessageKind
  /** The message this one replies to (its id), when it is a reply. */
  replyTo?: string | undefined
  /** Reactions, most chosen first ([] when none); absent when not read with the row (a receipt's notice): keep what you had. */
  reactions?: Reaction[] | undefined
}

export type ContactState = 'requested' | 'pending' | 'accepted' | 'declined' | 'blocked' | 'removed'
