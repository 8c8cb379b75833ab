/**
 * The chat part of the device's local API (127.0.0.1, token-protected by
 * control-api.ts): contacts, presence, messages, history, search, and a
 * Server-Sent Events stream of live notices for `parley chat`.
 */
import type { Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ChatError, type ChatNotice } from '../chat/chat.js'
import type { ChatService, UserStatus } from '../chat/service.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'

const STATUSES: UserStatus[] = ['online', 'away', 'dnd', 'invisible']

function fail(c: Context, code: string, message: string, status: 400 | 404 | 409 = 400) {
  return c.json({ error: { code, message } }, status)
}

async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const b: unknown = await c.req.json()
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function idOf(value: string): Uint8Array | undefined {
  return /^[0-9a-f]{32}$/.test(value) ? new Uint8Array(Buffer.from(value, 'hex')) : undefined
}

export function addChatRoutes(app: Hono, current: () => ChatService | undefined): void {
  const svc = (): ChatService => {
    const s = current()
    if (s === undefined) throw new ChatError('starting', 'chat is starting; try again')
    return s
  }

  // Every chat call is the user being active (away → online), and what it did is committed
  // before the answer (the store commits the device's own actions in groups: chat/commit.ts).
  app.use('/v1/chat/*', async (c, next) => {
    if (c.req.method !== 'GET') svc().active()
    await next()
    current()?.store.flush()
  })
  // A ChatError thrown by a route becomes a JSON error by the local API's own handler (api-errors.ts).

  const user = (c: Context) => {
    const u = c.req.param('user') ?? ''
    return isUsername(u) ? u : undefined
  }

  app.get('/v1/chat/contacts', (c) =>
    c.json({
      contacts: svc()
        .store.contacts()
        .map((x) => ({ ...x, unread: svc().store.unread(x.username, svc().username).length })),
    }),
  )
  app.get('/v1/chat/requests', (c) =>
    c.json({
      requests: svc()
        .store.contacts(['pending'])
        .map((x) => ({ ...x, held: svc().store.conversation(x.username, 20, true) })),
    }),
  )
  app.post('/v1/chat/contacts/:user', async (c) => {
    const u = user(c)
    if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
    const b = await body(c)
    const greeting = typeof b.greeting === 'string' ? b.greeting : ''
    const contact = svc().chat.addContact(u, greeting)
    svc().delivery.kick()
    return c.json({ contact })
  })
  for (const action of ['accept', 'decline', 'block', 'remove'] as const) {
    app.post(`/v1/chat/contacts/:user/${action}`, (c) => {
      const u = user(c)
      if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
      const contact =
        action === 'accept'
          ? svc().chat.accept(u)
          : action === 'decline'
            ? svc().chat.decline(u)
            : action === 'block'
              ? svc().chat.block(u)
              : svc().chat.removeContact(u)
      svc().delivery.kick()
      if (action === 'accept') void svc().broadcastPresence()
      return c.json({ contact })
    })
  }

  app.get('/v1/chat/status', (c) => c.json({ status: svc().status() }))
  app.post('/v1/chat/status', async (c) => {
    const s = (await body(c)).status
    if (typeof s !== 'string' || !STATUSES.includes(s as UserStatus))
      return fail(c, ErrorCode.InvalidField, `status must be one of ${STATUSES.join(', ')}`)
    svc().setStatus(s as UserStatus)
    return c.json({ status: svc().status() })
  })

  app.post('/v1/chat/messages/:user', async (c) => {
    const u = user(c)
    if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
    const text = (await body(c)).text
    if (typeof text !== 'string') return fail(c, ErrorCode.InvalidField, 'text is required')
    const message = svc().chat.send(u, text)
    svc().delivery.kick()
    return c.json({ message })
  })
  app.get('/v1/chat/messages/:user', (c) => {
    const u = user(c)
    if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? '50') || 50, 1), 10_000)
    return c.json({ messages: svc().store.conversation(u, limit), presence: svc().presenceOf(u) })
  })
  app.post('/v1/chat/read/:user', (c) => {
    const u = user(c)
    if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
    const read = svc().chat.markRead(u)
    svc().delivery.kick()
    return c.json({ read })
  })
  app.post('/v1/chat/typing/:user', (c) => {
    const u = user(c)
    if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
    void svc().typing(u)
    return c.json({ ok: true })
  })
  app.post('/v1/chat/edit/:id', async (c) => {
    const id = idOf(c.req.param('id'))
    const text = (await body(c)).text
    if (id === undefined || typeof text !== 'string')
      return fail(c, ErrorCode.InvalidField, 'a message id and text')
    const message = svc().chat.edit(id, text)
    svc().delivery.kick()
    return c.json({ message })
  })
  app.post('/v1/chat/delete/:id', (c) => {
    const id = idOf(c.req.param('id'))
    if (id === undefined) return fail(c, ErrorCode.InvalidField, 'not a message id')
    const message = svc().chat.delete(id)
    svc().delivery.kick()
    return c.json({ message })
  })
  app.get('/v1/chat/search', (c) => c.json({ messages: svc().store.search(c.req.query('q') ?? '') }))
  app.get('/v1/chat/outbox', (c) => c.json({ pending: svc().store.pending() }))

  app.get('/v1/chat/events', (c) =>
    streamSSE(c, async (stream) => {
      const queue: ChatNotice[] = []
      let wake: (() => void) | undefined
      const listener = (n: ChatNotice) => {
        queue.push(n)
        wake?.()
      }
      svc().events.on('notice', listener)
      stream.onAbort(() => {
        svc().events.off('notice', listener)
        wake?.()
      })
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ status: svc().status() }) })
      while (!stream.aborted) {
        const next = queue.shift()
        if (next === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, 15_000)
          })
          wake = undefined
          if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' })
          continue
        }
        await stream.writeSSE({ event: next.type, data: JSON.stringify(next) })
      }
    }),
  )
}
