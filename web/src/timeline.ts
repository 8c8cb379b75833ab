/**
 * What a conversation shows between its messages: a day separator ("Today",
 * "Yesterday", a date) where the local day changes, and a "New messages"
 * marker before the first of the messages that were unread when the
 * conversation was opened. Pure: the clock and the count come in.
 */
import type { Message } from './types.js'

export type Row =
  | { type: 'day'; key: string; label: string }
  | { type: 'unread'; key: string }
  | { type: 'message'; key: string; message: Message }

const DAY_MS = 86_400_000

/** Midnight (local time) of the day `at` falls in. */
function dayOf(at: number): number {
  const d = new Date(at)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
}

/** "Today", "Yesterday", a weekday within the week, else the date (with the year when it is not this one's). */
export function dayLabel(at: number, now: number): string {
  const day = dayOf(at)
  const today = dayOf(now)
  if (day === today) return 'Today'
  // Through noon, so that a day of 23 or 25 hours (a clock change) still counts as one.
  if (dayOf(today - DAY_MS / 2) === day) return 'Yesterday'
  const d = new Date(at)
  if (today - day < 7 * DAY_MS && day < today) return d.toLocaleDateString([], { weekday: 'long' })
  const sameYear = d.getFullYear() === new Date(now).getFullYear()
  return d.toLocaleDateString([], { day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) })
}

/**
 * The rows of a conversation: `unreadAtOpen` is how many of the other side's
 * messages were unread when it was opened (the contact's count then); the
 * marker goes before the first of them.
 */
export function timeline(messages: readonly Message[], me: string, unreadAtOpen: number, now: number): Row[] {
  let marked: string | undefined
  if (unreadAtOpen > 0) {
    const theirs = messages.filter((m) => m.sender !== me)
    marked = theirs[Math.max(0, theirs.length - unreadAtOpen)]?.id
  }
  const rows: Row[] = []
  let lastDay: number | undefined
  for (const m of messages) {
    const day = dayOf(m.sentAt)
    if (day !== lastDay) rows.push({ type: 'day', key: `day-${day}`, label: dayLabel(m.sentAt, now) })
    lastDay = day
    if (m.id === marked) rows.push({ type: 'unread', key: 'unread' })
    rows.push({ type: 'message', key: m.id, message: m })
  }
  return rows
}
