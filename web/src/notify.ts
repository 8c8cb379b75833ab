/**
 * Telling the user of a new message when they are not looking (issue 17):
 * a system notification (the Notification API) for a message in a
 * conversation that is not in view, never in Do not disturb, and the unread
 * count in the page's title. What to show is decided here, by pure functions
 * tested without a browser; notifications.ts does the browser's part.
 *
 * Permission is never asked on load: the sidebar offers a "Turn on
 * notifications" button while the browser has not been asked
 * (`permission === 'default'`), and asking needs the user's click anyway.
 */
import { callEventText, parseCallEvent } from './call-history.js'
import type { ChatState } from './state.js'
import type { Message, Notice, Status } from './types.js'

/** The page's own title, as web/index.html sets it. */
export const TITLE = 'Parley'
/** A notification's body shows at most this many characters of the message. */
export const BODY_CHARS = 140

export interface Shown {
  title: string
  body: string
  /** One notification per conversation: a newer one replaces the older. */
  tag: string
  conversation: string
}

export interface Viewing {
  me: string
  /** The conversation on screen, if any. */
  open: string | undefined
  /** The window has focus and its tab is shown (focus.ts). */
  focused: boolean
  status: Status | undefined
}

/** What a message notification says; undefined when none is due (ours, held, seen, or Do not disturb). */
export function messageNotification(notice: Notice, v: Viewing): Shown | undefined {
  if (notice.type !== 'message') return undefined
  const m = notice.message
  if (m.held || m.sender === v.me || m.state !== 'received') return undefined
  if (v.status === 'dnd') return undefined
  if (v.focused && v.open === m.conversation) return undefined
  // A call the user answered or declined is no news to them (its ringing had its own notification).
  if (m.kind === 'call' && parseCallEvent(m.text).what !== 'missed') return undefined
  return { title: m.sender, body: bodyOf(m), tag: `parley-${m.conversation}`, conversation: m.conversation }
}

function bodyOf(m: Message): string {
  if (m.deleted) return 'Deleted a message'
  if (m.kind === 'file') return 'Sent a file'
  if (m.kind === 'call') return callEventText(m.text, false)
  const text = m.text.replace(/\s+/g, ' ').trim()
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS - 1)}…` : text
}

/** Unread messages over every conversation. */
export function unreadTotal(s: Pick<ChatState, 'contacts'>): number {
  return s.contacts.reduce((sum, c) => sum + (c.state === 'accepted' ? c.unread : 0), 0)
}

/** The page's title: "(3) Parley" with three unread messages, "Parley" with none. */
export function titleFor(unread: number): string {
  return unread > 0 ? `(${unread}) ${TITLE}` : TITLE
}
