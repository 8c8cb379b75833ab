/**
 * The session part of the local API (local-api.ts): a sign-in link's code
 * traded for a session, signing out, what the device is (setup, starting,
 * ready; who; revoked), a fresh sign-in link, and signing up or in while the
 * device has no account. Typed for the web client (web/src/api.ts).
 */
import { Hono } from 'hono'
import type { SignedOut } from './node.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import { jsonBody } from './json-body.js'
import type { WebSessions } from './web-sessions.js'

export type ApiState = 'setup' | 'starting' | 'ready'

export interface AccountRequest {
  mode: 'register' | 'login'
  username: string
  password: string
  deviceName?: string
}

export interface SessionRouteDeps {
  sessions: WebSessions
  state: () => ApiState
  setState: (state: ApiState) => void
  /** Who this device is, once it has an account and is up. */
  who: () => {
    username?: string | undefined
    deviceId?: string | undefined
    signedOut?: SignedOut | undefined
  }
  signInLink: () => string
  /** Closes the sockets of the sessions that just ended. */
  closeEnded: () => void
  /** Setup mode: create or sign in to the account, then start the node. Throws errors with a `code`. */
  onAccount?: ((req: AccountRequest) => Promise<void>) | undefined
}

export const bearerOf = (header: string | undefined): string => /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? ''

const refusal = (code: string, message: string) => ({ error: { code, message } })

/** Open to the page without a session: the sign-in link's code for one. */
export function signInRoutes(d: SessionRouteDeps) {
  return new Hono().post('/v1/auth/session', jsonBody<{ code: string }>(), (c) => {
    const code = c.req.valid('json').code
    const issued = d.sessions.exchange(typeof code === 'string' ? code : '', Date.now())
    if (issued === undefined)
      return c.json(
        refusal(
          ErrorCode.LinkExpired,
          'This sign-in link was used or has expired. Get a new one: parley link',
        ),
        401,
      )
    return c.json(issued, 200)
  })
}

/** Behind the session check. */
export function sessionRoutes(d: SessionRouteDeps) {
  return new Hono()
    .post('/v1/auth/signout', (c) => {
      const signedOut = d.sessions.signOut(bearerOf(c.req.header('authorization')), Date.now())
      d.closeEnded()
      return c.json({ signedOut }, 200)
    })
    .get('/v1/session', (c) => c.json({ state: d.state(), ...d.who() }, 200))
    .post('/v1/auth/link', (c) => c.json({ url: d.signInLink() }, 200))
    .post(
      '/v1/account/:mode{register|login}',
      jsonBody<{ username: string; password: string; deviceName?: string }>(),
      async (c) => {
        const mode = c.req.param('mode') === 'login' ? 'login' : 'register'
        if (d.state() !== 'setup' || d.onAccount === undefined)
          return c.json(refusal('already_signed_in', 'this device already has an account'), 409)
        const { username, password, deviceName } = c.req.valid('json')
        if (!isUsername(username))
          return c.json(refusal(ErrorCode.InvalidUsername, 'username: 3–32 of a-z 0-9 . _ -'), 400)
        if (typeof password !== 'string' || password.length < 10)
          return c.json(refusal(ErrorCode.InvalidPassword, 'the password needs 10 characters or more'), 400)
        try {
          d.setState('starting')
          await d.onAccount({
            mode,
            username,
            password,
            deviceName: typeof deviceName === 'string' && deviceName !== '' ? deviceName : undefined,
          })
          return c.json({ state: d.state() }, 200)
        } catch (err) {
          d.setState('setup')
          const code = (err as { code?: unknown }).code
          if (typeof code === 'string') return c.json(refusal(code, (err as Error).message), 400)
          return c.json(refusal(ErrorCode.Unavailable, (err as Error).message), 502)
        }
      },
    )
}
