/**
 * Calls to the device that served this page: same origin only, the session
 * cookie (HttpOnly, set by the sign-in link) goes along by itself. Refusals
 * come back as `{ error: { code, message } }` and become ApiError, whose
 * message is meant for the user.
 */
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

const TIMEOUT_MS = 20_000

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // Every POST carries JSON, which a cross-site form cannot send without a preflight.
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
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

const u = (username: string) => encodeURIComponent(username)

export type ContactAction = 'accept' | 'decline' | 'block' | 'remove'

export const api = {
  session: () => call<Session>('GET', '/v1/session'),
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
