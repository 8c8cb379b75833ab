/**
 * The chat part of the device's local API (127.0.0.1, token-protected by
 * control-api.ts): contacts, presence, messages, history, search, and a
 * Server-Sent Events stream of live notices for `parley chat`.
 */
import { Hono, type Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ChatError, type ChatNotice } from '../chat/chat.js'
import type { ChatService, UserStatus } from '../chat/service.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import { validator } from 'hono/validator'
import { avatarType, ProfileLimits } from '../chat/profile.js'
import { jsonBody } from './json-body.js'

const STATUSES: UserStatus[] = ['online', 'away', 'dnd', 'invisible']

function fail(c: Context, code: string, message: string, status: 400 | 404 = 400) {
  return c.json({ error: { code, message } }, status)
}

function idOf(value: string): Uint8Array | undefined {
  return /^[0-9a-f]{32}$/.test(value) ? new Uint8Array(Buffer.from(value, 'hex')) : undefined
}

/** The routes' queries, declared for the web client's typed client; each route reads and checks its own. */
const limitQuery = validator('query', (q: { limit?: string | string[] }) => q)
const searchQuery = validator('query', (q: { q?: string | string[] }) => q)

export type ContactAction = 'accept' | 'decline' | 'block' | 'remove'

/** The chat routes, typed for the web client (web/src/api.ts). */
export function chatRoutes(current: () => ChatService | undefined) {
  const svc = (): ChatService => {
    const s = current()
    if (s === undefined) throw new ChatError('starting', 'chat is starting; try again')
    return s
  }
  const user = (c: Context) => {
    const u = c.req.param('user') ?? ''
    return isUsername(u) ? u : undefined
  }
  const act = (u: string, action: ContactAction) =>
    action === 'accept'
      ? svc().chat.accept(u)
      : action === 'decline'
        ? svc().chat.decline(u)
        : action === 'block'
          ? svc().chat.block(u)
          : svc().chat.removeContact(u)

  return (
    new Hono()
      // Every chat call is the user being active (away → online), and what it did is committed
      // before the answer (the store commits the device's own actions in groups: chat/commit.ts).
      // A ChatError thrown by a route becomes a JSON error by the local API's own handler (api-errors.ts).
      .use('/v1/chat/*', async (c, next) => {
        if (c.req.method !== 'GET') svc().active()
        await next()
        current()?.store.flush()
      })
      .get('/v1/chat/contacts', (c) => {
        const profiles = svc().store.profiles.summaries()
        return c.json({
          contacts: svc()
            .store.contacts()
            .map((x) => ({
              ...x,
              unread: svc().store.unread(x.username, svc().username).length,
              name: profiles.get(x.username)?.name ?? '',
              mood: profiles.get(x.username)?.mood ?? '',
              avatarAt: profiles.get(x.username)?.avatarAt ?? 0,
            })),
        })
      })
      .get('/v1/chat/profile', (c) => {
        const p = svc().store.profiles.get(svc().username)
        return c.json({
          name: p?.name ?? '',
          mood: p?.mood ?? '',
          avatarAt: p?.avatar.byteLength ? p.lamport : 0,
        })
      })
      .post('/v1/chat/profile', jsonBody<{ name?: string; mood?: string; avatar?: string }>(), (c) => {
        const body = c.req.valid('json')
        const old = svc().store.profiles.get(svc().username)
        const text = (v: unknown, was: string) =>
          v === undefined ? was : typeof v === 'string' ? v.trim() : null
        const name = text(body.name, old?.name ?? '')
        const mood = text(body.mood, old?.mood ?? '')
        if (name === null || mood === null) return fail(c, ErrorCode.InvalidField, 'name and mood are text')
        let avatar = old?.avatar ?? new Uint8Array()
        if (body.avatar !== undefined) {
          if (typeof body.avatar !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.avatar))
            return fail(c, ErrorCode.InvalidField, 'avatar is the image in base64, or "" for none')
          if (body.avatar.length > ((ProfileLimits.avatarBytes + 2) / 3) * 4 * 2)
            return fail(
              c,
              ErrorCode.InvalidField,
              `an avatar is at most ${ProfileLimits.avatarBytes / 1024} KiB`,
            )
          avatar = new Uint8Array(Buffer.from(body.avatar, 'base64'))
        }
        svc().chat.setProfile({ name, mood, avatar })
        svc().delivery.kick()
        const now = svc().store.profiles.get(svc().username)
        return c.json({ name, mood, avatarAt: avatar.byteLength > 0 ? (now?.lamport ?? 0) : 0 }, 200)
      })
      .get('/v1/chat/avatar/:user', (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const p = svc().store.profiles.get(u)
        const type = p === undefined ? undefined : avatarType(p.avatar)
        if (p === undefined || type === undefined)
          return fail(c, ErrorCode.NotFound, `${u} has no avatar`, 404)
        return c.body(Buffer.from(p.avatar), 200, {
          'content-type': type,
          'cache-control': 'private, no-cache',
          'x-content-type-options': 'nosniff',
        })
      })
      .get('/v1/chat/requests', (c) =>
        c.json({
          requests: svc()
            .store.contacts(['pending'])
            .map((x) => ({ ...x, held: svc().store.conversation(x.username, 20, true) })),
        }),
      )
      .post('/v1/chat/contacts/:user', jsonBody<{ greeting?: string }>(), (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const greeting = c.req.valid('json').greeting
        const contact = svc().chat.addContact(u, typeof greeting === 'string' ? greeting : '')
        svc().delivery.kick()
        return c.json({ contact }, 200)
      })
      .post('/v1/chat/contacts/:user/:action{accept|decline|block|remove}', (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const action = c.req.param('action') as ContactAction
        const contact = act(u, action)
        svc().delivery.kick()
        if (action === 'accept') void svc().broadcastPresence()
        return c.json({ contact }, 200)
      })
      .get('/v1/chat/status', (c) => c.json({ status: svc().status() }))
      .post('/v1/chat/status', jsonBody<{ status: UserStatus }>(), (c) => {
        const s = c.req.valid('json').status
        if (typeof s !== 'string' || !STATUSES.includes(s as UserStatus))
          return fail(c, ErrorCode.InvalidField, `status must be one of ${STATUSES.join(', ')}`)
        svc().setStatus(s as UserStatus)
        return c.json({ status: svc().status() }, 200)
      })
      .post('/v1/chat/messages/:user', jsonBody<{ text: string; replyTo?: string }>(), (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const { text, replyTo } = c.req.valid('json')
        if (typeof text !== 'string') return fail(c, ErrorCode.InvalidField, 'text is required')
        const quoted = typeof replyTo === 'string' ? idOf(replyTo) : undefined
        if (replyTo !== undefined && quoted === undefined)
          return fail(c, ErrorCode.InvalidField, 'replyTo is not a message id')
        const message = svc().chat.send(u, text, quoted)
        svc().delivery.kick()
        return c.json({ message }, 200)
      })
      .get('/v1/chat/messages/:user', limitQuery, (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const limit = Math.min(Math.max(Number(c.req.query('limit') ?? '50') || 50, 1), 10_000)
        return c.json({ messages: svc().store.conversation(u, limit), presence: svc().presenceOf(u) }, 200)
      })
      .post('/v1/chat/read/:user', (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        const read = svc().chat.markRead(u)
        svc().delivery.kick()
        return c.json({ read }, 200)
      })
      .post('/v1/chat/typing/:user', (c) => {
        const u = user(c)
        if (u === undefined) return fail(c, ErrorCode.InvalidUsername, 'not a valid username')
        void svc().typing(u)
        return c.json({ ok: true }, 200)
      })
      .post('/v1/chat/edit/:id', jsonBody<{ text: string }>(), (c) => {
        const id = idOf(c.req.param('id'))
        const text = c.req.valid('json').text
        if (id === undefined || typeof text !== 'string')
          return fail(c, ErrorCode.InvalidField, 'a message id and text')
        const message = svc().chat.edit(id, text)
        svc().delivery.kick()
        return c.json({ message }, 200)
      })
      .post('/v1/chat/react/:id', jsonBody<{ emoji: string }>(), (c) => {
        const id = idOf(c.req.param('id'))
        const emoji = c.req.valid('json').emoji
        if (id === undefined || typeof emoji !== 'string')
          return fail(c, ErrorCode.InvalidField, 'a message id and an emoji ("" takes yours back)')
        const message = svc().chat.react(id, emoji)
        svc().delivery.kick()
        return c.json({ message }, 200)
      })
      .post('/v1/chat/delete/:id', (c) => {
        const id = idOf(c.req.param('id'))
        if (id === undefined) return fail(c, ErrorCode.InvalidField, 'not a message id')
        const message = svc().chat.delete(id)
        svc().delivery.kick()
        return c.json({ message }, 200)
      })
      .get('/v1/chat/search', searchQuery, (c) =>
        c.json({ messages: svc().store.search(c.req.query('q') ?? '') }),
      )
      .get('/v1/chat/outbox', (c) => c.json({ pending: svc().store.outbox.pending() }))
      .get('/v1/chat/events', (c) =>
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
  )
}
