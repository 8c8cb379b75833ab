/**
 * The page's session with its device. A sign-in link (`/signin?code=…`, from
 * `parley up` or `parley link`) opens this page; its one-time code is traded
 * for a session token, kept in this origin's localStorage. The browser ties
 * that storage to scheme, host and port, so unlike a cookie the token never
 * goes to another server on 127.0.0.1: the page sends it itself, as
 * `Authorization: Bearer`, and in the live socket's subprotocol list.
 */

const KEY = 'parley.session'

export interface StoredSession {
  token: string
  /** Opens this session's file download links (`?key=`), which cannot carry a header. */
  downloadKey: string
}

export function storedSession(): StoredSession | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<StoredSession> | null
    if (typeof v?.token === 'string' && typeof v.downloadKey === 'string')
      return { token: v.token, downloadKey: v.downloadKey }
  } catch {
    // storage off or garbled: not signed in
  }
  return undefined
}

export function keepSession(s: StoredSession): void {
  localStorage.setItem(KEY, JSON.stringify({ token: s.token, downloadKey: s.downloadKey }))
}

export function forgetSession(): void {
  localStorage.removeItem(KEY)
}

/** The sign-in link's code when this page was opened by one; the address bar then drops it. */
export function takeLinkCode(page: Location, history: History): string | undefined {
  if (page.pathname !== '/signin') return undefined
  const code = new URLSearchParams(page.search).get('code') ?? ''
  history.replaceState(null, '', '/')
  return code
}

/** The headers that carry the session, if any. */
export function authHeaders(): Record<string, string> {
  const s = storedSession()
  return s === undefined ? {} : { authorization: `Bearer ${s.token}` }
}

/** The live socket's subprotocols: `parley`, and the token (a browser cannot set headers on a WebSocket). */
export function socketProtocols(): string[] {
  const s = storedSession()
  return s === undefined ? ['parley'] : ['parley', `parley-token.${s.token}`]
}
