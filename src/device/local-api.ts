/**
 * The device's local API on 127.0.0.1: the CLI with the token kept in the
 * profile (mode 0600), and the web client with a session cookie it gets by
 * opening a one-time sign-in link. Only this origin may call it: a request
 * with another Origin, or for another Host (DNS rebinding), is refused, so no
 * web page the user visits can drive the node. Before the profile has an
 * account the API is in setup mode: the web client signs up or in through it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import { setCookie } from 'hono/cookie'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ChatNotice } from '../chat/chat.js'
import type { ChatService } from '../chat/service.js'
import type { FileService } from '../files/service.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import { onApiError, onApiNotFound } from './api-errors.js'
import { addCallRoutes } from './call-api.js'
import { addChatRoutes } from './chat-api.js'
import { addDeviceRoutes } from './device-api.js'
import { addFileRoutes } from './files-api.js'
import type { DeviceNode } from './node.js'
import { writePrivateJson } from './private-file.js'
import { serveWeb } from './web-files.js'

export const API_FILE = 'api.json'
/** Cookies are per host, not per port: each device's session cookie is named after its port. */
const cookieName = (port: number): string => `parley_session_${port}`
const LINK_TTL_MS = 10 * 60_000

export interface ApiInfo {
  url: string
  token: string
  pid: number
}

export type ApiState = 'setup' | 'starting' | 'ready'

export interface AccountRequest {
  mode: 'register' | 'login'
  username: string
  password: string
  deviceName?: string
}

export interface LocalApiOptions {
  profileDir: string
  /** The built web client (dist/web); not served when absent. */
  webRoot?: string
  /** Setup mode: create or sign in to the account, then start the node. Throws errors with a `code`. */
  onAccount?: (req: AccountRequest) => Promise<void>
  state: ApiState
}

function same(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(secret).digest()
  return presented.length > 0 && timingSafeEqual(a, b)
}

function sessionOf(cookieHeader: string | undefined, port: number): string | undefined {
  const name = cookieName(port)
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, v] = part.trim().split('=', 2)
    if (k === name) return v
  }
  return undefined
}

const refuse = (status: 400 | 401 | 403 | 409 | 502 | 503, code: string, message: string): Response =>
  Response.json({ error: { code, message } }, { status })

export class LocalApi {
  readonly token = randomBytes(32).toString('base64url')
  private readonly codes = new Map<string, number>()
  private readonly sessions = new Set<string>()
  private readonly sockets = new Set<WebSocket>()
  private device: DeviceNode | undefined
  private chat: ChatService | undefined
  private files: FileService | undefined
  private state: ApiState
  private port = 0
  private server: ReturnType<typeof serve> | undefined
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })

  private constructor(private readonly opts: LocalApiOptions) {
    this.state = opts.state
  }

  static async start(opts: LocalApiOptions): Promise<LocalApi> {
    const api = new LocalApi(opts)
    const app = api.app()
    api.server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
      s.once('error', reject)
    })
    api.port = (api.server.address() as AddressInfo).port
    api.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      api.upgrade(req, socket, head),
    )
    writePrivateJson(join(opts.profileDir, API_FILE), api.info)
    return api
  }

  get info(): ApiInfo {
    return { url: this.origin, token: this.token, pid: process.pid }
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** A link that signs a browser in once, within ten minutes. */
  signInLink(): string {
    const code = randomBytes(24).toString('base64url')
    this.codes.set(code, Date.now() + LINK_TTL_MS)
    return `${this.origin}/signin?code=${code}`
  }

  setState(state: ApiState): void {
    this.state = state
  }

  /** The node is up: serve its routes and push its notices to the web client. */
  ready(device: DeviceNode, chat?: ChatService, files?: FileService): void {
    this.device = device
    this.chat = chat
    this.files = files
    this.state = 'ready'
    chat?.events.on('notice', (n: ChatNotice) => {
      const text = JSON.stringify(n)
      for (const ws of this.sockets) ws.send(text)
    })
    files?.events.on('notice', (n) => this.sockets.forEach((ws) => ws.send(JSON.stringify(n))))
  }

  async close(): Promise<void> {
    rmSync(join(this.opts.profileDir, API_FILE), { force: true })
    for (const ws of this.sockets) ws.terminate()
    await new Promise<void>((resolve) => {
      if (this.server === undefined) return resolve()
      this.server.close(() => resolve())
      if ('closeAllConnections' in this.server) this.server.closeAllConnections()
    })
  }

  // ---- access -------------------------------------------------------------------

  private hostOk(host: string | undefined): boolean {
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`
  }

  private originOk(origin: string | undefined): boolean {
    return origin === undefined || origin === this.origin || origin === `http://localhost:${this.port}`
  }

  private authorized(bearer: string | undefined, cookie: string | undefined): boolean {
    const presented = /^Bearer (.+)$/.exec(bearer ?? '')?.[1] ?? ''
    if (same(presented, this.token)) return true
    return cookie !== undefined && this.sessions.has(cookie)
  }

  private app(): Hono {
    const app = new Hono()
    // Whatever fails answers a JSON error with a stable code, never an empty body.
    app.onError(onApiError)
    app.notFound(onApiNotFound)
    app.use(async (c, next) => {
      if (!this.hostOk(c.req.header('host')))
        return refuse(403, 'forbidden_host', 'only http://127.0.0.1 may call this API')
      if (!this.originOk(c.req.header('origin')))
        return refuse(403, 'forbidden_origin', 'requests from other web pages are refused')
      await next()
    })
    app.get('/signin', (c) => {
      const code = c.req.query('code') ?? ''
      const expires = this.codes.get(code)
      this.codes.delete(code)
      if (expires === undefined || expires < Date.now())
        return c.text('This sign-in link was used or has expired. Ask parley for a new one: parley link', 401)
      const session = randomBytes(32).toString('base64url')
      this.sessions.add(session)
      setCookie(c, cookieName(this.port), session, { httpOnly: true, sameSite: 'Strict', path: '/' })
      return c.redirect('/', 303)
    })
    app.use('/v1/*', async (c, next) => {
      if (!this.authorized(c.req.header('authorization'), sessionOf(c.req.header('cookie'), this.port)))
        return refuse(401, ErrorCode.Unauthorized, 'missing or wrong token; open the sign-in link again')
      await next()
    })
    app.get('/v1/session', (c) =>
      c.json({ state: this.state, username: this.chat?.username, deviceId: this.device?.peerId }),
    )
    app.post('/v1/auth/link', (c) => c.json({ url: this.signInLink() }))
    for (const mode of ['register', 'login'] as const)
      app.post(`/v1/account/${mode}`, (c) => this.account(c, mode))
    app.use('/v1/*', async (c, next) => {
      if (this.device === undefined)
        return refuse(
          503,
          'starting',
          this.state === 'setup' ? 'sign up or sign in first' : 'starting; try again',
        )
      await next()
    })
    addDeviceRoutes(
      app,
      () => this.device!,
      () => this.chat,
    )
    addChatRoutes(app, () => this.chat)
    addCallRoutes(
      app,
      () => this.device!,
      () => this.chat,
    )
    addFileRoutes(app, () => this.files)
    if (this.opts.webRoot !== undefined) serveWeb(app, this.opts.webRoot)
    return app
  }

  private async account(c: Context, mode: AccountRequest['mode']) {
    if (this.state !== 'setup' || this.opts.onAccount === undefined)
      return refuse(409, 'already_signed_in', 'this device already has an account')
    let body: Record<string, unknown>
    try {
      body = await c.req.json<Record<string, unknown>>()
    } catch {
      return refuse(400, ErrorCode.InvalidJson, 'the body is not JSON')
    }
    const { username, password, deviceName } = body
    if (!isUsername(username))
      return refuse(400, ErrorCode.InvalidUsername, 'username: 3–32 of a-z 0-9 . _ -')
    if (typeof password !== 'string' || password.length < 10)
      return refuse(400, ErrorCode.InvalidPassword, 'the password needs 10 characters or more')
    try {
      this.state = 'starting'
      await this.opts.onAccount({
        mode,
        username,
        password,
        deviceName: typeof deviceName === 'string' && deviceName !== '' ? deviceName : undefined,
      })
      return c.json({ state: this.state })
    } catch (err) {
      this.state = 'setup'
      const code = (err as { code?: unknown }).code
      return refuse(
        typeof code === 'string' ? 400 : 502,
        typeof code === 'string' ? code : 'unavailable',
        (err as Error).message,
      )
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const cookie = sessionOf(req.headers.cookie, this.port)
    const ok =
      req.url === '/v1/ws' &&
      this.hostOk(req.headers.host) &&
      this.originOk(req.headers.origin) &&
      this.authorized(req.headers.authorization, cookie) &&
      this.chat !== undefined
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws)
      ws.on('close', () => this.sockets.delete(ws))
      ws.on('error', () => this.sockets.delete(ws))
      ws.send(JSON.stringify({ type: 'hello', status: this.chat?.status() }))
    })
  }
}
