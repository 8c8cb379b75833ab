/**
 * The authority's HTTP JSON API. The core is hono's `fetch(Request) =>
 * Response`, so tests can call it in-process; server.ts puts it on a socket.
 * Every error body is { error: { code, message } } with a stable code.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from '../log/logger.js'
import { readCertificate } from '../trust/certificate.js'
import { toBase64 } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { AuthorityError } from './errors.js'
import { mountGrantRoutes } from './grants-http.js'
import type { AuthorityLimits, Refusal, Verdict } from './limits.js'
import type { AuthorityMetrics } from './metrics.js'
import type { AuthorityService } from './service.js'
import type { AuthorityStore, DeviceRecord } from './store/types.js'
import * as v from './validate.js'

export const MAX_BODY_BYTES = 16 * 1024

export interface HttpInit {
  service: AuthorityService
  store: AuthorityStore
  metrics: AuthorityMetrics
  limits: AuthorityLimits
  adminToken: string
  log: Logger
  /** The client's address; the HTTP adapter reads it from the socket. */
  clientAddress: (c: Context) => string
  now?: () => number
}

export function createAuthorityApp(init: HttpInit): Hono {
  const { service, metrics, limits, log } = init
  const now = init.now ?? Date.now
  const app = new Hono()

  app.use(async (c, next) => {
    const end = metrics.httpSeconds.startTimer()
    await next()
    const route = c.req.routePath === '/*' ? 'other' : c.req.routePath
    end({ route, status: String(c.res.status) })
  })
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          errorBody(ErrorCode.BodyTooLarge, `request bodies are limited to ${MAX_BODY_BYTES} bytes`),
          413,
        ),
    }),
  )

  const json = async (c: Context): Promise<Record<string, unknown>> => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      throw new AuthorityError(400, ErrorCode.InvalidJson, 'the body is not valid JSON')
    }
    return v.asObject(body)
  }

  const refusal = (r: Refusal): AuthorityError => {
    metrics.rateLimited.inc({ scope: r.scope })
    return new AuthorityError(
      429,
      ErrorCode.RateLimited,
      'too many attempts; try again later',
      r.retryAfterMs,
    )
  }
  const admit = (verdict: Verdict): void => {
    if (!verdict.ok) throw refusal(verdict)
  }

  /**
   * Runs a password check under the failure limits. Only a wrong password
   * counts: any other outcome (success, a refused proof, a busy authority)
   * gives the token back.
   */
  const passwordAttempt = async <T>(c: Context, username: string, work: () => Promise<T>): Promise<T> => {
    const verdict = limits.password(username, init.clientAddress(c), now())
    if (!verdict.ok) throw refusal(verdict)
    try {
      const result = await work()
      verdict.ticket.refund(now())
      return result
    } catch (err) {
      if (!(err instanceof AuthorityError && err.code === ErrorCode.InvalidCredentials))
        verdict.ticket.refund(now())
      throw err
    }
  }

  app.get('/health', async (c) => {
    try {
      await init.store.ping()
      return c.json({ status: 'ok', networkId: service.networkId })
    } catch {
      return c.json({ status: 'unavailable', networkId: service.networkId }, 503)
    }
  })

  app.get('/metrics', async (c) => {
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType })
  })

  app.get('/v1/network-config', (c) =>
    c.json({ networkId: service.networkId, config: toBase64(service.networkConfig) }),
  )

  app.get('/v1/revocations', async (c) => c.json({ list: toBase64(await service.revocationList()) }))
  app.get('/v2/revocations', async (c) => c.json({ list: toBase64(await service.revocationListV2()) }))

  app.post('/v1/accounts', async (c) => {
    const body = await json(c)
    const username = v.username(body)
    const password = v.newPassword(body)
    admit(limits.registration(init.clientAddress(c), now()))
    await service.register(username, password)
    log.info({ username }, 'account registered')
    return c.json({ username }, 201)
  })

  app.post('/v1/challenges', async (c) => {
    admit(limits.challenge(init.clientAddress(c), now()))
    const { challenge, expiresAt } = await service.challenge()
    return c.json({ challenge: toBase64(challenge), expiresAt })
  })

  app.post('/v1/sign-in', async (c) => {
    const body = await json(c)
    const req = {
      username: v.username(body),
      password: v.password(body),
      deviceName: v.deviceName(body),
      devicePublicKey: v.publicKey(body),
      challenge: v.challenge(body),
      proof: v.proof(body),
    }
    const certificate = await passwordAttempt(c, req.username, () => service.signIn(req))
    log.info({ username: req.username }, 'device signed in')
    return c.json({ certificate: toBase64(certificate), networkConfig: toBase64(service.networkConfig) })
  })

  app.post('/v1/renew', async (c) => {
    const body = await json(c)
    const req = { certificate: v.certificate(body), challenge: v.challenge(body), proof: v.proof(body) }
    let deviceId: string | undefined
    try {
      deviceId = readCertificate(req.certificate, service.networkPublicKey).deviceId
    } catch {
      // Not ours: counts as a failure from this address; renew() answers with the certificate's code.
      admit(limits.failure(init.clientAddress(c), now()))
    }
    if (deviceId !== undefined) admit(limits.renewal(deviceId, now()))
    const certificate = await service.renew(req)
    return c.json({ certificate: toBase64(certificate), networkConfig: toBase64(service.networkConfig) })
  })

  app.post('/v1/devices/list', async (c) => {
    const body = await json(c)
    const username = v.username(body)
    const password = v.password(body)
    const devices = await passwordAttempt(c, username, () => service.listDevices(username, password))
    return c.json({ devices: devices.map(deviceView) })
  })

  app.post('/v1/devices/revoke', async (c) => {
    const body = await json(c)
    const username = v.username(body)
    const password = v.password(body)
    const deviceId = v.deviceId(body)
    const record = await passwordAttempt(c, username, () =>
      service.revokeAsOwner(username, password, deviceId),
    )
    log.info({ username, deviceId }, 'device revoked by its owner')
    return c.json({ deviceId: record.deviceId, revokedAt: record.revokedAt })
  })

  app.post('/v1/admin/devices/revoke', async (c) => {
    if (!adminAuthorised(c.req.header('authorization'), init.adminToken)) {
      admit(limits.failure(init.clientAddress(c), now()))
      throw new AuthorityError(
        401,
        ErrorCode.Unauthorized,
        'an administrator token is needed (Authorization: Bearer …)',
      )
    }
    const deviceId = v.deviceId(await json(c))
    const record = await service.revoke(deviceId, 'admin')
    log.info({ deviceId }, 'device revoked by an administrator')
    return c.json({ deviceId: record.deviceId, revokedAt: record.revokedAt })
  })

  mountGrantRoutes(app, init)

  app.notFound((c) =>
    c.json(errorBody(ErrorCode.NotFound, `no such endpoint: ${c.req.method} ${c.req.path}`), 404),
  )

  app.onError((err, c) => {
    if (err instanceof AuthorityError) {
      if (err.retryAfterMs !== undefined)
        c.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))))
      return c.json(errorBody(err.code, err.message), err.status)
    }
    log.error({ err, path: c.req.path }, 'request failed')
    return c.json(errorBody(ErrorCode.Internal, 'the authority failed to answer; try again'), 500)
  })

  return app
}

function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } }
}

function deviceView(d: DeviceRecord): Record<string, unknown> {
  return {
    deviceId: d.deviceId,
    name: d.name,
    createdAt: d.createdAt,
    lastSignInAt: d.lastSignInAt,
    revokedAt: d.revokedAt,
  }
}

function adminAuthorised(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? ''
  // Compare digests so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(token).digest()
  return presented.length > 0 && timingSafeEqual(a, b)
}
