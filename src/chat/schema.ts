/** The chat store's row mapping (see store.ts; its tables: migrations.ts). */
import type { MessageKind, MessageRow, MessageState } from './rows.js'

export type { MessageKind, MessageRow, MessageState } from './rows.js'

export interface RawMessage {
  id: Buffer
  conversation: string
  sender: string
  sender_device: string
  lamport: number
  sent_at: number
  text: string
  edited: number
  deleted: number
  state: MessageState
  held: number
  kind: MessageKind
  reply_to: Buffer | null
}

export function messageOf(r: RawMessage): MessageRow {
  return {
    id: r.id.toString('hex'),
    conversation: r.conversation,
    sender: r.sender,
    senderDevice: r.sender_device,
    lamport: r.lamport,
    sentAt: r.sent_at,
    text: r.text,
    edited: r.edited === 1,
    deleted: r.deleted === 1,
    state: r.state,
    held: r.held === 1,
    kind: r.kind,
    ...(r.reply_to === null ? {} : { replyTo: r.reply_to.toString('hex') }),
  }
}
