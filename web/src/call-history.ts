/**
 * Call history, in words: what a call event (a `CALL_EVENT` message, its
 * text the device's CallEventBody JSON, src/calls/api.ts) says to each side.
 * The caller writes every event, so the message's sender is the caller: the
 * sender reads it as outgoing, the other side as incoming. An event written
 * before calls had kinds has none, and reads "Missed call". Pure: no DOM,
 * no clock (`now` comes in), tested without a browser.
 */
import type { CallEventBody, CallKind, CallWhat } from '../../src/calls/api.js'
import type { Message } from './types.js'

export type Direction = 'incoming' | 'outgoing'

export interface CallEntry {
  id: string
  /** the other side (the conversation) */
  peer: string
  direction: Direction
  what: CallWhat | 'unknown'
  kind: CallKind | undefined
  durationMs: number
  /** when the caller wrote it (ms since the epoch) */
  at: number
  /** a missed incoming call not read yet */
  unread: boolean
  text: string
}

/** A call event's text as sent; anything unreadable is a call of no known outcome. */
export function parseCallEvent(text: string): Pick<CallEntry, 'what' | 'kind' | 'durationMs'> {
  let e: Partial<Record<keyof CallEventBody, unknown>> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null) e = parsed
  } catch {
    // shown as a plain call
  }
  const what = ['started', 'answered', 'declined', 'missed', 'ended'].includes(e.what as string)
    ? (e.what as CallWhat)
    : 'unknown'
  const kind = e.kind === 'audio' || e.kind === 'video' ? e.kind : undefined
  const durationMs = Number(e.durationMs)
  return { what, kind, durationMs: Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0 }
}

/** "1:05", "1:02:03" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/**
 * A call event as its side reads it: "Outgoing video call · 2:31",
 * "Incoming audio call · 0:12", "Missed audio call" (the callee), "Outgoing
 * audio call · no answer" (the caller), "Declined video call".
 */
export function callEventText(text: string, mine: boolean): string {
  const { what, kind, durationMs } = parseCallEvent(text)
  const call = kind === undefined ? 'call' : `${kind} call`
  const way = mine ? 'Outgoing' : 'Incoming'
  switch (what) {
    case 'ended':
      return `${way} ${call} · ${formatDuration(durationMs)}`
    case 'missed':
      return mine ? `${way} ${call} · no answer` : `Missed ${call}`
    case 'declined':
      return `Declined ${call}`
    case 'answered':
      return `${way} ${call} · answered`
    case 'started':
      return `${way} ${call}`
    case 'unknown':
      return capital(call)
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** A call event message as the Calls list shows it. */
export function callEntry(m: Message, me: string): CallEntry {
  const mine = m.sender === me
  const e = parseCallEvent(m.text)
  return {
    id: m.id,
    peer: m.conversation,
    direction: mine ? 'outgoing' : 'incoming',
    ...e,
    at: m.sentAt,
    unread: !mine && e.what === 'missed' && m.state === 'received',
    text: callEventText(m.text, mine),
  }
}

/** A missed call the user has not seen: counted on the Calls tab. */
export function isMissed(m: Message, me: string): boolean {
  return m.kind === 'call' && callEntry(m, me).unread
}

/** When a call was, for the Calls list: "14:05" today, "Yesterday 14:05", else "3 Dec 14:05". */
export function whenText(at: number, now: number, locale?: string): string {
  const d = new Date(at)
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
  const day = (t: number) => new Date(t).toDateString()
  if (day(at) === day(now)) return time
  if (day(at) === day(now - 86_400_000)) return `Yesterday ${time}`
  const date = d.toLocaleDateString(locale, {
    day: 'numeric',
    month: 'short',
    ...(d.getFullYear() === new Date(now).getFullYear() ? {} : { year: 'numeric' }),
  })
  return `${date} ${time}`
}

/** The Calls list with a new event: newest first, at most `max`, one entry per event. */
export function withCall(list: Message[], m: Message, max: number): Message[] {
  const rest = list.filter((x) => x.id !== m.id)
  return [m, ...rest].sort((a, b) => b.sentAt - a.sentAt || b.lamport - a.lamport).slice(0, max)
}
