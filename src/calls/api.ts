/**
 * The calls part of the local API: TURN credentials from the device's
 * supernode, call signals to a contact's devices (delivered live, answered
 * through the WebSocket as `call-signal` notices), and call events in the
 * conversation (started, missed, ended with a duration).
 */
import type { Hono } from 'hono'
import { ChatError } from '../chat/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import { serverTiming, type SignalOutcome } from './signals.js'
import type { TurnCredentials } from './turn.js'

async function bodyOf(c: { req: { json: <T>() => Promise<T> } }): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json<unknown>()
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

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

export function addCallRoutes(
  app: Hono,
  turn: () => Promise<TurnCredentials>,
  chat: () => CallChat | undefined,
  opts: CallRouteOptions = {},
): void {
  const svc = (): CallChat => {
    const s = chat()
    if (s === undefined) throw new ChatError('starting', 'chat is starting; try again')
    return s
  }
  app.get('/v1/call/ice-servers', async (c) => {
    const iceTransportPolicy = opts.relayOnly === true ? 'relay' : 'all'
    try {
      const t = await turn()
      const iceServers =
        t.urls.length === 0 ? [] : [{ urls: t.urls, username: t.username, credential: t.credential }]
      return c.json({ iceServers, ttlS: t.ttlS, iceTransportPolicy })
    } catch (err) {
      // Relay only, and no relay to be had: the call fails rather than fall back to showing our address.
      if (opts.relayOnly === true) return c.json({ iceServers: [], ttlS: 0, iceTransportPolicy })
      return c.json({ error: { code: 'unavailable', message: (err as Error).message } }, 503)
    }
  })
  app.post('/v1/call/signal/:user', async (c) => {
    const user = c.req.param('user')
    const payload = (await bodyOf(c)).payload
    if (!isUsername(user) || typeof payload !== 'string')
      return c.json(
        { error: { code: ErrorCode.InvalidField, message: 'a contact and a payload string' } },
        400,
      )
    const took = await svc().signal(user, payload)
    // Where the device's time went (sign, first ack, lookups, all acks): bench:call shows it beside the page's view.
    c.header('Server-Timing', serverTiming(took.timings))
    return c.json({ devices: took.contact + took.own, contactDevices: took.contact })
  })
  app.post('/v1/call/event/:user', async (c) => {
    const user = c.req.param('user')
    const b = await bodyOf(c)
    const what = b.what
    if (
      !isUsername(user) ||
      typeof what !== 'string' ||
      !['started', 'answered', 'declined', 'missed', 'ended'].includes(what)
    )
      return c.json(
        { error: { code: ErrorCode.InvalidField, message: 'what: started|answered|declined|missed|ended' } },
        400,
      )
    const text = JSON.stringify({
      call: typeof b.call === 'string' ? b.call : '',
      what,
      durationMs: Number(b.durationMs ?? 0) || 0,
    })
    svc().recordCall(user, text)
    return c.json({ ok: true })
  })
}
