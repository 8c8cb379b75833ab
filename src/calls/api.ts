/**
 * The calls part of the local API: TURN credentials from the device's
 * supernode, call signals to a contact's devices (delivered live, answered
 * through the WebSocket as `call-signal` notices), call events in the
 * conversation (started, missed, ended with a duration; audio or video), and
 * the newest of them over every conversation (the Calls list).
 */
import type Database from 'better-sqlite3'
import { Hono } from 'hono'
import { ChatError } from '../chat/chat.js'
import { jsonBody } from '../device/json-body.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import { CALLS_SHOWN, MAX_CALLS, recentCalls } from './history.js'
import { serverTiming, type SignalOutcome } from './signals.js'
import type { TurnCredentials } from './turn.js'

export interface CallRouteOptions {
  /**
   * Calls gather TURN candidates only (WebRTC's iceTransportPolicy 'relay'),
   * so the other side of a call never learns this device's address (M6's
   * residual, docs/security.md). Needs a TURN server beside the supernodes.
   */
  relayOnly?: boolean
}

/** What the routes need of the chat service (narrow, so they are tested without one). */
export interface CallChat {
  signal: (to: string, payload: string) => Promise<SignalOutcome>
  /** A call event (started, missed, ended…) in the conversation, delivered like a message. */
  recordCall: (to: string, text: string) => void
}

/** The chat store, read (never written) for the Calls list. */
export interface CallStore {
  readonly store: { readonly db: Database.Database }
}

/** What a call event says happened; the one definition, which the web client imports as a type. */
export const CALL_WHATS = ['started', 'answered', 'declined', 'missed', 'ended'] as const
export type CallWhat = (typeof CALL_WHATS)[number]
const WHATS = new Set<unknown>(CALL_WHATS)

/**
 * An audio-only call, or an audio and video one. The web client imports it as a
 * type. A call event written before calls had kinds has none (read as a call of
 * no stated kind).
 */
export const CALL_KINDS = ['audio', 'video'] as const
export type CallKind = (typeof CALL_KINDS)[number]
const KINDS = new Set<unknown>(CALL_KINDS)

/** A call event's text, as stored and delivered (CALL_EVENT), and as `GET /v1/calls` returns it. */
export interface CallEventBody {
  call: string
  what: CallWhat
  durationMs: number
  /** absent in events written before issue 17 */
  kind?: CallKind
}

/** The calls routes, typed for the web client (web/src/api.ts). */
export function callRoutes(
  turn: () => Promise<TurnCredentials>,
  chat: () => (CallChat & CallStore) | undefined,
  opts: CallRouteOptions = {},
) {
  const svc = (): CallChat & CallStore => {
    const s = chat()
    if (s === undefined) throw new ChatError('starting', 'chat is starting; try again')
    return s
  }
  const iceTransportPolicy: 'relay' | 'all' = opts.relayOnly === true ? 'relay' : 'all'
  return new Hono()
    .get('/v1/call/ice-servers', async (c) => {
      try {
        const t = await turn()
        const iceServers =
          t.urls.length === 0 ? [] : [{ urls: t.urls, username: t.username, credential: t.credential }]
        return c.json({ iceServers, ttlS: t.ttlS, iceTransportPolicy }, 200)
      } catch (err) {
        // Relay only, and no relay to be had: the call fails rather than fall back to showing our address.
        if (opts.relayOnly === true) return c.json({ iceServers: [], ttlS: 0, iceTransportPolicy }, 200)
        return c.json({ error: { code: ErrorCode.Unavailable, message: (err as Error).message } }, 503)
      }
    })
    .post('/v1/call/signal/:user', jsonBody<{ payload: string }>(), async (c) => {
      const user = c.req.param('user')
      const payload = c.req.valid('json').payload
      if (!isUsername(user) || typeof payload !== 'string')
        return c.json(
          { error: { code: ErrorCode.InvalidField, message: 'a contact and a payload string' } },
          400,
        )
      const took = await svc().signal(user, payload)
      // Where the device's time went (sign, first ack, lookups, all acks): bench:call shows it beside the page's view.
      c.header('Server-Timing', serverTiming(took.timings))
      return c.json({ devices: took.contact + took.own, contactDevices: took.contact }, 200)
    })
    .post(
      '/v1/call/event/:user',
      jsonBody<{ call: string; what: CallWhat; durationMs?: number; kind?: CallKind }>(),
      (c) => {
        const user = c.req.param('user')
        const b = c.req.valid('json')
        if (!isUsername(user) || !WHATS.has(b.what) || (b.kind !== undefined && !KINDS.has(b.kind)))
          return c.json(
            {
              error: {
                code: ErrorCode.InvalidField,
                message: `what: ${CALL_WHATS.join('|')}; kind, if given: ${CALL_KINDS.join('|')}`,
              },
            },
            400,
          )
        const event: CallEventBody = {
          call: typeof b.call === 'string' ? b.call : '',
          what: b.what as CallWhat,
          durationMs: Number(b.durationMs ?? 0) || 0,
          ...(b.kind === undefined ? {} : { kind: b.kind as CallKind }),
        }
        svc().recordCall(user, JSON.stringify(event))
        return c.json({ ok: true }, 200)
      },
    )
    .get('/v1/calls', (c) => {
      const asked = c.req.query('limit')
      const limit = asked === undefined ? CALLS_SHOWN : Number(asked)
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CALLS)
        return c.json({ error: { code: ErrorCode.InvalidField, message: `limit: 1 to ${MAX_CALLS}` } }, 400)
      // The newest call events over every conversation; their text is the CallEventBody's JSON.
      return c.json({ calls: recentCalls(svc().store.db, limit) }, 200)
    })
}
