/**
 * Calls to the device that served this page: same origin only, with the
 * session token from this page's storage (session.ts) as a Bearer header; the
 * calls, file and session APIs all go through `request`. Refusals come back
 * as `{ error: { code, message } }` and become ApiError, whose message is
 * meant for the user.
 */
import { authHeaders, type StoredSession } from './session.js'
import type {
  Contact,
  ContactRequest,
  Credentials,
  ListedContact,
  Message,
  Session,
  Status,
} from './types.js'

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

export interface RequestOptions {
  /** A raw body (a file); JSON otherwise. */
  body?: BodyInit
  headers?: Record<string, string>
  /** No timeout when 0 (a file upload takes what it takes). */
  timeoutMs?: number
}

/** One call to the device with the session's header; the answer's JSON, or an ApiError. */
export async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  let res: Response
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS
  try {
    res = await fetch(path, {
      method,
      // Nothing ambient: the session is the header below, never a cookie.
      credentials: 'omit',
      headers: { ...authHeaders(), ...opts.headers },
      body: opts.body,
      signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
    })
  } catch {
    throw new ApiError(0, 'unreachable', 'The device does not answer. Is parley up still running?')
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
  return json as T
}

/** A GET, or a POST with a JSON body (which a cross-site form cannot send without a preflight). */
function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  if (method === 'GET') return request<T>(method, path)
  return request<T>(method, path, {
    body: JSON.stringify(body ?? {}),
    headers: { 'content-type': 'application/json' },
  })
}

const u = (username: string) => encodeURIComponent(username)

export type ContactAction = 'accept' | 'decline' | 'block' | 'remove'

export const api = {
  session: () => call<Session>('GET', '/v1/session'),
  /** Trades a sign-in link's one-time code for a session. */
  signIn: (code: string) => call<StoredSession>('POST', '/v1/auth/session', { code }),
  /** Ends this page's session on the device. */
  signOut: () => call<{ signedOut: boolean }>('POST', '/v1/auth/signout'),
  register: (c: Credentials) => call<unknown>('POST', '/v1/account/register', c),
  login: (c: Credentials) => call<unknown>('POST', '/v1/account/login', c),

  contacts: async () => (await call<{ contacts: ListedContact[] }>('GET', '/v1/chat/contacts')).contacts,
  requests: async () => (await call<{ requests: ContactRequest[] }>('GET', '/v1/chat/requests')).requests,
  addContact: async (username: string, greeting: string) =>
    (await call<{ contact: Contact }>('POST', `/v1/chat/contacts/${u(username)}`, { greeting })).contact,
  contactAction: async (username: string, action: ContactAction) =>
    (await call<{ contact: Contact }>('POST', `/v1/chat/contacts/${u(username)}/${action}`)).contact,

  status: async () => (await call<{ status: Status }>('GET', '/v1/chat/status')).status,
  setStatus: async (status: Status) =>
    (await call<{ status: Status }>('POST', '/v1/chat/status', { status })).status,

  messages: (username: string, limit = 200) =>
    call<{ messages: Message[]; presence?: string }>(
      'GET',
      `/v1/chat/messages/${u(username)}?limit=${limit}`,
    ),
  send: async (username: string, text: string) =>
    (await call<{ message: Message }>('POST', `/v1/chat/messages/${u(username)}`, { text })).message,
  read: async (username: string) =>
    (await call<{ read: number }>('POST', `/v1/chat/read/${u(username)}`)).read,
  typing: (username: string) => call<unknown>('POST', `/v1/chat/typing/${u(username)}`),
  edit: async (id: string, text: string) =>
    (await call<{ message: Message }>('POST', `/v1/chat/edit/${id}`, { text })).message,
  delete: async (id: string) => (await call<{ message: Message }>('POST', `/v1/chat/delete/${id}`)).message,
  search: async (q: string) =>
    (await call<{ messages: Message[] }>('GET', `/v1/chat/search?q=${encodeURIComponent(q)}`)).messages,
}

/** The text to show for any failure: an ApiError's message, never a stack trace. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message
  return 'Something went wrong. Try again.'
}
