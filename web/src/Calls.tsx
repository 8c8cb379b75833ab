/**
 * The Calls list (issue 17): the newest calls over every contact, each with
 * its direction, kind, outcome and duration, and when; a missed one not seen
 * yet stands out and is counted beside the heading. A click opens that
 * conversation. It loads from the device (`GET /v1/calls`) when the socket
 * opens, and follows the call events that arrive on it.
 */
import { useCallback, useEffect, useState } from 'react'
import { callApi } from './call-api.js'
import { callEntry, whenText, withCall, type CallEntry } from './call-history.js'
import './calls.css'
import type { Message, Notice } from './types.js'

/** How many calls the list shows. */
export const CALLS_SHOWN = 20

export interface RecentCalls {
  calls: Message[]
  /** A live notice: a call event joins the list, a read one updates it. */
  onNotice: (notice: Notice) => void
}

/** The list, loaded again each `round` (each time the socket opens: notices may have been missed meanwhile). */
export function useRecentCalls(round: number, onError: (err: unknown) => void): RecentCalls {
  const [calls, setCalls] = useState<Message[]>([])
  useEffect(() => {
    if (round === 0) return
    let current = true
    callApi.recent(CALLS_SHOWN).then((list) => {
      if (current) setCalls((old) => list.reduce((l, m) => withCall(l, m, CALLS_SHOWN), old))
    }, onError)
    return () => {
      current = false
    }
  }, [round, onError])
  const onNotice = useCallback((n: Notice) => {
    if (
      (n.type === 'message' || n.type === 'message-updated') &&
      n.message.kind === 'call' &&
      !n.message.held
    ) {
      const m = n.message
      setCalls((old) => withCall(old, m, CALLS_SHOWN))
    }
  }, [])
  return { calls, onNotice }
}

/** Read state: a missed call stops standing out once its conversation was read. */
function readIn(calls: Message[], read: ReadonlySet<string>): Message[] {
  return calls.map((m) => (read.has(m.conversation) && m.state === 'received' ? { ...m, state: 'read' } : m))
}

export interface CallsSectionProps {
  me: string
  calls: Message[]
  /** conversations with nothing unread (their missed calls were seen) */
  read: ReadonlySet<string>
  onOpen: (username: string) => void
}

const ARROW: Record<CallEntry['direction'], string> = { incoming: '↙', outgoing: '↗' }

export function CallsSection({ me, calls, read, onOpen }: CallsSectionProps) {
  // "14:05" becomes "Yesterday 14:05" at midnight: the clock is read once a minute, not in render.
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])
  const entries = readIn(calls, read).map((m) => callEntry(m, me))
  const missed = entries.filter((e) => e.unread).length
  return (
    <section className="calls-section" aria-labelledby="calls-heading">
      <h2 className="section" id="calls-heading">
        Calls
        {missed > 0 && (
          <span className="badge" data-testid="calls-missed" aria-label={`${missed} missed`}>
            {missed}
          </span>
        )}
      </h2>
      {entries.length === 0 ? (
        <p className="hint pad" data-testid="calls-empty">
          No calls yet.
        </p>
      ) : (
        <ul className="calls" data-testid="calls">
          {entries.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={e.unread ? 'call-entry missed' : 'call-entry'}
                data-testid="call-entry"
                data-peer={e.peer}
                data-direction={e.direction}
                data-what={e.what}
                data-kind={e.kind ?? ''}
                data-unread={e.unread}
                onClick={() => onOpen(e.peer)}
              >
                <span className="call-arrow" aria-hidden="true">
                  {e.what === 'missed' && e.direction === 'incoming' ? '✕' : ARROW[e.direction]}
                </span>
                <span className="call-who">
                  <strong>{e.peer}</strong>
                  <span className="call-what" data-testid="call-entry-text">
                    {e.text}
                  </span>
                </span>
                <time className="call-when" dateTime={new Date(e.at).toISOString()}>
                  {whenText(e.at, now)}
                </time>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
