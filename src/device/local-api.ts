/**
 * The device's local API on 127.0.0.1: the CLI with the token kept in the
 * profile (mode 0600), and the web client with a session token its page gets
 * for a one-time sign-in link's code and keeps in its own storage, which the
 * browser binds to this port (web-sessions.ts). No cookie: cookies go to every
 * port of a host. Only this origin may call it: a request with another
 * Origin, or for another Host (DNS rebinding), is refused, so no web page the
 * user visits can drive the node. Before the profile has an account the API
 * is in setup mode: the web client signs up or in through it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono, type MiddlewareHandler } from 'hono'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { ChatNotice } from '../chat/chat.js'
import type { ChatService, UserStatus } from '../chat/service.js'
import type { FileService } from '../files/service.js'
import { onApiError, onApiNotFound } from './api-errors.js'
import { callRoutes } from '../calls/api.js'
import { answerFrame, MAX_FRAME_BYTES, type FrameError, type SignalSent } from '../calls/socket.js'
import { turnCredentials } from '../calls/turn.js'
import { chatRoutes } from './chat-api.js'
import { deviceRoutes } from './device-api.js'
import { fileRoutes } from './files-api.js'
import type { DeviceNode, SignedOut } from './node.js'
import { writePrivateJson } from './private-file.js'
import { serveWeb } from './web-files.js'
import {
  bearerOf,
  sessionRoutes,
  signInRoutes,
  type AccountRequest,
  type ApiState,
  type SessionRouteDeps,
} from './session-api.js'
import { API_FILE, type ApiInfo } from './api-file.js'
import { WebSessions, webSessionLimits, type SessionRefusal, type WebSessionLimits } from './web-sessions.js'

export type { AccountRequest, ApiState }

export { API_FILE, type ApiInfo }
/** The WebSocket subprotocol the web client asks for; its token rides in a second one, `parley-token.<token>`. */
const WS_PROTOCOL = 'parley'
const WS_TOKEN_PREFIX = 'parley-token.'
/** The close code (4000–4999 are the application's) of a socket whose session ended; the reason is the error code. */
const WS_SESSION_ENDED = 4401

/** What the page hears on its live socket: the chat's notices, and the local API's own. */
export type LiveNotice =
  | ChatNotice
  | { type: 'hello'; status: UserStatus | undefined }
  | ({ type: 'signed-out' } & SignedOut)
  | SignalSent
  | FrameError

/** The local API's routes and their types: the web client's `hc<AppType>` (web/src/api.ts) reads them. */
export type AppType = ReturnType<LocalApi['routes']>

export interface LocalApiOptions {
  profileDir: string
  /** The built web client (dist/web); not served when absent. */
  webRoot?: string
  /** Setup mode: create or sign in to the account, then start the node. Throws errors with a `code`. */
  onAccount?: (req: AccountRequest) => Promise<void>
  state: ApiState
  /** Web session lifetimes; the defaults, shortened by PARLEY_TEST_WEB_SESSION_* (web-sessions.ts) for tests. */
  sessionLimits?: WebSessionLimits
  /** Calls through TURN only (`parley up --calls-relay-only`): the callee never learns our address. */
  callsRelayOnly?: boolean
}

function same(presented: string, secret: string): boolean {
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(secret).digest()
  return presented.length > 0 && timingSafeEqual(a, b)
}

/** The token a browser's WebSocket carries in its subprotocol list (it cannot set headers). */
function wsTokenOf(protocols: string | undefined): string {
  for (const p of (protocols ?? '').split(','))
    if (p.trim().startsWith(WS_TOKEN_PREFIX)) return p.trim().slice(WS_TOKEN_PREFIX.length)
  return ''
}

const refuse = (status: 400 | 401 | 403 | 409 | 502 | 503, code: string, message: string): Response =>
  Response.json({ error: { code, message } }, { status })

const REFUSAL_TEXT: Record<SessionRefusal, string> = {
  unauthorized: 'Not signed in. Open a sign-in link from this device (parley link prints one).',
  signed_out: 'You signed out. To come back, open a new sign-in link (parley link prints one).',
  session_expired: 'Your session expired. Open a new sign-in link (parley link prints one).',
}

export class LocalApi {
  readonly token = randomBytes(32).toString('base64url')
  private readonly sessions: WebSessions
  /** Each live socket and the id of the web session it came with (undefined for the CLI's token). */
  private readonly sockets = new Map<WebSocket, string | undefined>()
  private sweeper: ReturnType<typeof setInterval> | undefined
  private device: DeviceNode | undefined
  private chat: ChatService | undefined
  private files: FileService | undefined
  private state: ApiState
  private port = 0
  private server: ReturnType<typeof serve> | undefined
  private readonly wss = new WebSocketServer({
    noServer: true,
    // A page's frames are call signals (calls/socket.ts); a larger one closes that socket alone.
    maxPayload: MAX_FRAME_BYTES,
    // Never echo the token back: the socket speaks `parley`.
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  })

  private constructor(private readonly opts: LocalApiOptions) {
    this.state = opts.state
    const limits = opts.sessionLimits ?? webSessionLimits(process.env)
    this.sessions = new WebSessions(limits, () => randomBytes(32).toString('base64url'))
    // Ends expired sessions' sockets within a quarter of the shortest lifetime (at most a minute late).
    const every = Math.max(100, Math.min(60_000, Math.min(limits.idleMs, limits.maxMs) / 4))
    this.sweeper = setInterval(() => this.closeEnded(), every)
    this.sweeper.unref()
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

  /** A link that signs a browser in once, within ten minutes: its page trades the code for a session. */
  signInLink(): string {
    return `${this.origin}/signin?code=${this.sessions.issueLink(Date.now())}`
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
    chat?.events.on('notice', (n: ChatNotice) => this.broadcast(n))
    // A page open on a device that finds itself revoked says so at once (a page opened later asks /v1/session).
    device.onSignedOut((s) => this.broadcast({ type: 'signed-out', ...s }))
    files?.events.on('notice', (n) => this.broadcast(n))
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    rmSync(join(this.opts.profileDir, API_FILE), { force: true })
    for (const ws of this.sockets.keys()) ws.terminate()
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

  /** Undefined when the token opens the API (the CLI's, or a live web session's, which this use keeps going). */
  private refusal(token: string): SessionRefusal | undefined {
    if (same(token, this.token)) return undefined
    return this.sessions.use(token, Date.now())
  }

  private broadcast(notice: LiveNotice | { type: `file-${string}` }): void {
    const text = JSON.stringify(notice)
    for (const ws of this.sockets.keys()) if (ws.readyState === ws.OPEN) ws.send(text)
  }

  /** Closes the sockets of sessions that ended (signed out, expired), the reason's code as the close reason. */
  private closeEnded(): void {
    const ended = new Map(this.sessions.sweep(Date.now()).map((e) => [e.id, e.why]))
    if (ended.size === 0) return
    for (const [ws, id] of this.sockets) {
      const why = id === undefined ? undefined : ended.get(id)
      if (why === undefined) continue
      this.sockets.delete(ws)
      ws.close(WS_SESSION_ENDED, why)
    }
  }

  private app(): Hono {
    const app = new Hono()
    // Whatever fails answers a JSON error with a stable code, never an empty body.
    app.onError(onApiError)
    app.notFound(onApiNotFound)
    app.route('/', this.routes())
    if (this.opts.webRoot !== undefined) serveWeb(app, this.opts.webRoot)
    return app
  }

  /** Every route of the API, in the order they are let in; their types are the web client's (AppType). */
  routes() {
    const session: SessionRouteDeps = {
      sessions: this.sessions,
      state: () => this.state,
      setState: (state) => (this.state = state),
      who: () => ({
        username: this.chat?.username,
        deviceId: this.device?.peerId,
        signedOut: this.device?.signedOut,
      }),
      signInLink: () => this.signInLink(),
      closeEnded: () => this.closeEnded(),
      onAccount: this.opts.onAccount,
    }
    return (
      new Hono()
        .use(this.ownOriginOnly)
        // GET /signin is the web client's page (serveWeb): its script trades the code here, so a
        // link preview or prefetch that only GETs the link uses nothing up.
        .route('/', signInRoutes(session))
        .use('/v1/*', this.signedIn)
        .route('/', sessionRoutes(session))
        .use('/v1/*', this.started)
        .route(
          '/',
          deviceRoutes(
            () => this.device!,
            () => this.chat,
          ),
        )
        .route(
          '/',
          chatRoutes(() => this.chat),
        )
        .route(
          '/',
          callRoutes(
            () => turnCredentials(this.device!.node, this.device!.supernodeAddrs()),
            () => this.chat,
            { relayOnly: this.opts.callsRelayOnly === true },
          ),
        )
        .route(
          '/',
          fileRoutes(() => this.files),
        )
    )
  }

  private readonly ownOriginOnly: MiddlewareHandler = async (c, next) => {
    if (!this.hostOk(c.req.header('host')))
      return refuse(403, 'forbidden_host', 'only http://127.0.0.1 may call this API')
    if (!this.originOk(c.req.header('origin')))
      return refuse(403, 'forbidden_origin', 'requests from other web pages are refused')
    await next()
  }

  private readonly signedIn: MiddlewareHandler = async (c, next) => {
    const token = bearerOf(c.req.header('authorization'))
    if (token === '' && this.download(c.req.method, c.req.path, c.req.query('key'))) return next()
    const why = this.refusal(token)
    if (why !== undefined) return refuse(401, why, REFUSAL_TEXT[why])
    await next()
  }

  private readonly started: MiddlewareHandler = async (c, next) => {
    if (this.device === undefined)
      return refuse(
        503,
        'starting',
        this.state === 'setup' ? 'sign up or sign in first' : 'starting; try again',
      )
    await next()
  }

  /**
   * A file download by link (`<a href download>` cannot carry a header): the
   * session's download key opens GET /v1/files/:id/content and nothing else.
   */
  private download(method: string, path: string, key: string | undefined): boolean {
    if (method !== 'GET' || key === undefined || !/^\/v1\/files\/[^/]+\/content$/.test(path)) return false
    return this.sessions.useDownloadKey(key, Date.now())
  }

  /**
   * A frame from a page: a call signal (calls/socket.ts). Each is let in like
   * an HTTP request, by the token the socket opened with, which it keeps
   * alive: a session that ended closes its socket instead.
   */
  private onFrame(ws: WebSocket, token: string, data: RawData, isBinary: boolean): void {
    const why = this.refusal(token)
    if (why !== undefined) {
      this.sockets.delete(ws)
      ws.close(WS_SESSION_ENDED, why)
      return
    }
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : data
    void answerFrame(this.chat, bytes, isBinary)
      .then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
      })
      .catch(() => undefined)
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const fromPage = wsTokenOf(req.headers['sec-websocket-protocol'])
    const token = fromPage !== '' ? fromPage : bearerOf(req.headers.authorization)
    const ok =
      req.url === '/v1/ws' &&
      this.hostOk(req.headers.host) &&
      this.originOk(req.headers.origin) &&
      this.chat !== undefined
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    if (this.refusal(token) !== undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n')
      return
    }
    const session = same(token, this.token) ? undefined : WebSessions.idOf(token)
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.set(ws, session)
      ws.on('close', () => this.sockets.delete(ws))
      ws.on('error', () => this.sockets.delete(ws))
      ws.on('message', (data, isBinary) => this.onFrame(ws, token, data, isBinary))
      const hello: LiveNotice = { type: 'hello', status: this.chat?.status() }
      ws.send(JSON.stringify(hello))
    })
  }
}
