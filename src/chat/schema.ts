/** The chat store's row mapping (see store.ts; its tables: migrations.ts). */
export type MessageState = 'sending' | 'sent' | 'delivered' | 'read' | 'received'

export type MessageKind = 'text' | 'call' | 'file'

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
}

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
  }
}
