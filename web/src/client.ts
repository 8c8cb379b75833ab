/**
 * The device's API through hono's typed client (`hc`) against the device's
 * own route types (`AppType`, src/device/local-api.ts): paths, bodies and
 * answers are the server's, so the two cannot drift. The import is type-only,
 * so nothing of the server (or of Node) reaches the bundle. Nothing here
 * needs the DOM either: api.ts makes the page's client (same origin, the
 * session from its storage), and tests make one against a running device.
 * Refusals come back as `{ error: { code, message } }` and become ApiError,
 * whose message is meant for the user.
 */
import { hc, type ClientResponse } from 'hono/client'
import type { Answer, Client } from './answers.js'
import type { ContactAction } from '../../src/device/chat-api.js'
import type { AppType } from '../../src/device/local-api.js'
import type { Status } from './types.js'

export type { Answer, Client, ContactAction }

export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    /** HTTP status; 0 when the device did not answer */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The device no longer takes this page's session: signed out, expired, or the device was revoked. */
export function isSignedOut(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 401
}

const TIMEOUT_MS = 20_000
const UNREACHABLE = 'The device does not answer. Is parley up still running?'

/** Per-call options: a deadline (none when 0: a file upload takes what it takes). */
export const within = (timeoutMs = TIMEOUT_MS) =>
  timeoutMs > 0 ? { init: { signal: AbortSignal.timeout(timeoutMs) } } : {}

/**
 * Path parameters go into the URL percent-encoded. hc (hono 4.13) puts them
 * in as they are, so a name typed as `alice/block` went to another route
 * (`POST /v1/chat/contacts/alice/block` blocked alice) and `bob?x` lost its
 * tail to the query. The device decodes each parameter (hono's
 * `c.req.param`) and judges it. Only '', '.' and '..' cannot be sent as a
 * path segment at all (URLs drop or resolve them, encoded or not); no
 * parameter of the API may be one, so they are refused here.
 */
/** The call's arguments with their path parameters encoded, or the refusal of one no URL can carry. */
function encodeParams(args: unknown): unknown {
  if (typeof args !== 'object' || args === null) return args
  const { param } = args as { param?: unknown }
  if (typeof param !== 'object' || param === null) return args
  const encoded: Record<string, string> = {}
  for (const [key, value] of Object.entries(param as Record<string, unknown>)) {
    const text = String(value)
    if (text === '' || text === '.' || text === '..')
      return new ApiError(
        400,
        key === 'user' ? 'invalid_username' : 'invalid_field',
        `“${text}” is not a valid ${key === 'user' ? 'username' : key}.`,
      )
    encoded[key] = encodeURIComponent(text)
  }
  return { ...args, param: encoded }
}

/** The client with every call's path parameters encoded (encodeParams); a refused one is a rejected call. */
function withEncodedParams<T>(client: T): T {
  const wrap = (node: unknown): unknown =>
    typeof node !== 'function'
      ? node
      : new Proxy(node, {
          get: (target, key) => wrap(Reflect.get(target, key)),
          apply: (target, self, args: unknown[]) => {
            const first = encodeParams(args[0])
            if (first instanceof ApiError) return Promise.reject(first)
            return Reflect.apply(target, self, [first, ...args.slice(1)]) as unknown
          },
        })
  return wrap(client) as T
}

/** A typed client of the device at `base` ('/' in the page), sending `headers()` with every call. */
export function deviceClient(base: string, headers: () => Record<string, string>): Client {
  return withEncodedParams(
    hc<AppType>(base, {
      // Nothing ambient: the session is a header, never a cookie.
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        try {
          return await fetch(input, { ...init, credentials: 'omit' })
        } catch {
          throw new ApiError(0, 'unreachable', UNREACHABLE)
        }
      },
      headers,
    }),
  )
}

/** The answer's JSON, or an ApiError with the device's code and message. */
export async function ok<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R>,
): Promise<Answer<R>> {
  let res: R
  try {
    res = await call
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(0, 'unreachable', UNREACHABLE)
  }
  const json: unknown = await res.json().catch(() => undefined)
  if (!res.ok) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    throw new ApiError(
      res.status,
      typeof e?.code === 'string' ? e.code : `http_${res.status}`,
      typeof e?.message === 'string' ? e.message : `The device answered ${res.status} ${res.statusText}.`,
    )
  }
  return json as Answer<R>
}

/** The text to show for any failure: an ApiError's message, never a stack trace. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message
  return 'Something went wrong. Try again.'
}

/** The chat and account calls the page makes, on a client of its device. */
export function apiOf(device: Client) {
  const chat = device.v1.chat
  const user = (username: string) => ({ param: { user: username } })
  return {
    session: () => ok(device.v1.session.$get(undefined, within())),
    /** Trades a sign-in link's one-time code for a session. */
    signIn: (code: string) => ok(device.v1.auth.session.$post({ json: { code } }, within())),
    /** Ends this page's session on the device. */
    signOut: () => ok(device.v1.auth.signout.$post(undefined, within())),
    register: (c: { username: string; password: string; deviceName?: string }) =>
      ok(
        device.v1.account[':mode{register|login}'].$post({ param: { mode: 'register' }, json: c }, within()),
      ),
    login: (c: { username: string; password: string; deviceName?: string }) =>
      ok(device.v1.account[':mode{register|login}'].$post({ param: { mode: 'login' }, json: c }, within())),

    contacts: async () => (await ok(chat.contacts.$get(undefined, within()))).contacts,
    profile: () => ok(chat.profile.$get(undefined, within())),
    setProfile: (p: { name?: string; mood?: string; avatar?: string }) =>
      ok(chat.profile.$post({ json: p }, within())),
    /** A user's avatar image, or undefined when they have none. */
    avatar: async (username: string): Promise<Blob | undefined> => {
      const res = await chat.avatar[':user'].$get(user(username), within())
      return res.ok ? res.blob() : undefined
    },
    requests: async () => (await ok(chat.requests.$get(undefined, within()))).requests,
    addContact: async (username: string, greeting: string) =>
      (await ok(chat.contacts[':user'].$post({ ...user(username), json: { greeting } }, within()))).contact,
    contactAction: async (username: string, action: ContactAction) =>
      (
        await ok(
          chat.contacts[':user'][':action{accept|decline|block|remove}'].$post(
            { param: { user: username, action } },
            within(),
          ),
        )
      ).contact,

    status: async () => (await ok(chat.status.$get(undefined, within()))).status,
    setStatus: async (status: Status) => (await ok(chat.status.$post({ json: { status } }, within()))).status,

    messages: (username: string, limit = 200) =>
      ok(chat.messages[':user'].$get({ ...user(username), query: { limit: String(limit) } }, within())),
    send: async (username: string, text: string, replyTo?: string) =>
      (
        await ok(
          chat.messages[':user'].$post(
            { ...user(username), json: replyTo === undefined ? { text } : { text, replyTo } },
            within(),
          ),
        )
      ).message,
    react: async (id: string, emoji: string) =>
      (await ok(chat.react[':id'].$post({ param: { id }, json: { emoji } }, within()))).message,
    read: async (username: string) => (await ok(chat.read[':user'].$post(user(username), within()))).read,
    typing: (username: string) => ok(chat.typing[':user'].$post(user(username), within())),
    edit: async (id: string, text: string) =>
      (await ok(chat.edit[':id'].$post({ param: { id }, json: { text } }, within()))).message,
    delete: async (id: string) => (await ok(chat.delete[':id'].$post({ param: { id } }, within()))).message,
    search: async (q: string) => (await ok(chat.search.$get({ query: { q } }, within()))).messages,
  }
}
