/**
 * The messenger's state and how each answer or live notice changes it: a
 * pure reducer (no fetch, no clock: `now` and whether the window has focus
 * come in with the action), so it is tested without a browser.
 */
import type { Contact, ContactRequest, ListedContact, Message, Notice, Status } from './types.js'

export interface ChatState {
  me: string
  status: Status | undefined
  connected: boolean
  contacts: ListedContact[]
  requests: ContactRequest[]
  /** The conversation on screen (narrow screens show it instead of the list). */
  open: string | undefined
  /** The open conversation's messages, in the order every device shows them. */
  messages: Message[]
  /** username → until when "typing…" shows (ms) */
  typing: Record<string, number>
}

export type Action =
  | { type: 'connected'; connected: boolean }
  | { type: 'status'; status: Status }
  | { type: 'contacts'; contacts: ListedContact[] }
  | { type: 'requests'; requests: ContactRequest[] }
  | { type: 'contact'; contact: Contact }
  | { type: 'open'; username: string | undefined }
  | { type: 'history'; username: string; messages: Message[]; presence?: string | undefined }
  | { type: 'message'; message: Message }
  /** The device marked a conversation read; `ids` are the messages on screen that it covered. */
  | { type: 'read'; username: string; ids: string[] }
  | { type: 'notice'; notice: Notice; now: number; focused: boolean }
  | { type: 'tick'; now: number }

/** How long "typing…" lasts after the last signal (the sender repeats it every 2 s). */
export const TYPING_SHOWN_MS = 5_000

export function initialState(me: string): ChatState {
  return {
    me,
    status: undefined,
    connected: false,
    contacts: [],
    requests: [],
    open: undefined,
    messages: [],
    typing: {},
  }
}

/** (Lamport time, sender device, id): the order of src/chat/store.ts, the same on every device. */
export function compareMessages(a: Message, b: Message): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport
  if (a.senderDevice !== b.senderDevice) return a.senderDevice < b.senderDevice ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

const RANK: Record<Message['state'], number> = { sending: 0, sent: 1, delivered: 2, read: 3, received: 0 }

/**
 * A newer copy of a message. Answers and notices can cross (the send's answer
 * may come after the notice that it was delivered), so an own message's
 * receipt state never goes back.
 */
function merge(old: Message, prev: Message): Message {
  // A notice that moved a receipt carries no reactions: the ones shown stay.
  const next =
    prev.reactions === undefined && old.reactions !== undefined ? { ...prev, reactions: old.reactions } : prev
  if (old.state === 'received' || next.state === 'received') return next
  return RANK[next.state] >= RANK[old.state] ? next : { ...next, state: old.state }
}

export function upsertMessage(list: Message[], m: Message): Message[] {
  const i = list.findIndex((x) => x.id === m.id)
  if (i >= 0) return list.map((x, j) => (j === i ? merge(x, m) : x))
  return [...list, m].sort(compareMessages)
}

function upsertContact(list: ListedContact[], c: Contact): ListedContact[] {
  const old = list.find((x) => x.username === c.username)
  // A contact row as a notice carries it, with what the list adds kept (unread, profile).
  const next = {
    ...c,
    unread: old?.unread ?? 0,
    name: old?.name ?? '',
    mood: old?.mood ?? '',
    avatarAt: old?.avatarAt ?? 0,
  }
  return old === undefined
    ? [...list, next].sort((a, b) => (a.username < b.username ? -1 : 1))
    : list.map((x) => (x === old ? next : x))
}

function withContact(list: ListedContact[], username: string, f: (c: ListedContact) => ListedContact) {
  return list.map((c) => (c.username === username ? f(c) : c))
}

function onNotice(s: ChatState, n: Notice, now: number, focused: boolean): ChatState {
  switch (n.type) {
    case 'hello':
      return { ...s, status: n.status }
    case 'message': {
      const m = n.message
      if (m.held) return s
      const mine = m.sender === s.me
      const shown = s.open === m.conversation
      const { [m.sender]: _, ...typing } = s.typing
      return {
        ...s,
        typing,
        messages: shown ? upsertMessage(s.messages, m) : s.messages,
        contacts:
          !mine && m.state === 'received' && !(shown && focused)
            ? withContact(s.contacts, m.conversation, (c) => ({ ...c, unread: c.unread + 1 }))
            : s.contacts,
      }
    }
    case 'message-updated':
      return s.open === n.message.conversation && !n.message.held
        ? { ...s, messages: upsertMessage(s.messages, n.message) }
        : s
    case 'contact':
      return reduce(s, { type: 'contact', contact: n.contact })
    case 'presence':
      // Our own status changing by itself (away after idling, back at the next action).
      if (n.username === s.me) return { ...s, status: n.status as Status }
      return { ...s, contacts: withContact(s.contacts, n.username, (c) => ({ ...c, presence: n.status })) }
    case 'typing':
      return { ...s, typing: { ...s.typing, [n.username]: now + TYPING_SHOWN_MS } }
    case 'profile':
      // The messenger reloads the contact list, which carries names, moods and avatars.
      return s
    case 'call-signal':
    case 'file-answer':
    case 'call-signal-sent':
    case 'call-signal-error':
    case 'signed-out':
      // Handled by the messenger itself (the call engine; the signed-out banner).
      return s
  }
}

export function reduce(s: ChatState, a: Action): ChatState {
  switch (a.type) {
    case 'connected':
      return { ...s, connected: a.connected }
    case 'status':
      return { ...s, status: a.status }
    case 'contacts':
      return { ...s, contacts: a.contacts }
    case 'requests':
      return { ...s, requests: a.requests }
    case 'contact':
      return {
        ...s,
        contacts: upsertContact(s.contacts, a.contact),
        // A request answered (here or on another device of ours) leaves the list.
        requests: s.requests.filter(
          (r) => r.username !== a.contact.username || a.contact.state === 'pending',
        ),
      }
    case 'open':
      return a.username === s.open ? s : { ...s, open: a.username, messages: [] }
    case 'history':
      if (a.username !== s.open) return s
      return {
        ...s,
        // Notices that came while the history was on its way are kept.
        messages: a.messages.reduce(upsertMessage, s.messages),
        contacts:
          a.presence === undefined
            ? s.contacts
            : withContact(s.contacts, a.username, (c) => ({ ...c, presence: a.presence ?? c.presence })),
      }
    case 'message':
      return s.open === a.message.conversation ? { ...s, messages: upsertMessage(s.messages, a.message) } : s
    case 'read': {
      if (s.open !== a.username)
        return { ...s, contacts: withContact(s.contacts, a.username, (c) => ({ ...c, unread: 0 })) }
      const done = new Set(a.ids)
      const messages = s.messages.map((m) =>
        done.has(m.id) && m.state === 'received' ? { ...m, state: 'read' as const } : m,
      )
      // Whatever came while the call was on its way stays unread.
      const left = messages.filter((m) => m.sender !== s.me && m.state === 'received').length
      return {
        ...s,
        messages,
        contacts: withContact(s.contacts, a.username, (c) => ({ ...c, unread: left })),
      }
    }
    case 'notice':
      return onNotice(s, a.notice, a.now, a.focused)
    case 'tick': {
      const typing = Object.fromEntries(Object.entries(s.typing).filter(([, until]) => until > a.now))
      return Object.keys(typing).length === Object.keys(s.typing).length ? s : { ...s, typing }
    }
  }
}

/**
 * What the user has not read in the open conversation: the device's count and
 * the incoming messages on screen still `received`; undefined when nothing.
 */
export function unreadIds(s: ChatState): { count: number; ids: string[] } | undefined {
  if (s.open === undefined) return undefined
  const count = s.contacts.find((x) => x.username === s.open)?.unread ?? 0
  const ids = s.messages.filter((m) => m.sender !== s.me && m.state === 'received').map((m) => m.id)
  return count > 0 || ids.length > 0 ? { count, ids } : undefined
}

/** The shown state of a bubble: receipts for one's own messages, `received` for everyone else's. */
export function shownState(m: Message, me: string): Message['state'] {
  return m.sender === me ? m.state : 'received'
}
