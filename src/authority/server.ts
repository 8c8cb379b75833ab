/** Runs the authority: loads its files, opens its store, serves the HTTP API on a socket. */
import { join } from 'node:path'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, Hono } from 'hono'
import type { Logger } from '../log/logger.js'
import { loadAuthorityFiles, SQLITE_FILE } from './data-dir.js'
import { createAuthorityApp } from './http.js'
import { createAuthorityMetrics } from './metrics.js'
import type { ScryptCost } from './password.js'
import { clientAddress, trustedProxies } from './client-address.js'
import { AuthorityLimits, type RateName } from './limits.js'
import { HashGate } from './hash-gate.js'
import { AuthorityService, DEFAULT_HASH_CONCURRENCY, DEFAULT_HASH_QUEUE } from './service.js'
import { openStore } from './store/index.js'
import type { AuthorityStore } from './store/types.js'

export const DEFAULT_PORT = 7700

export { DEFAULT_RATES } from './limits.js'

export interface AuthorityOptions {
  dataDir: string
  host: string
  port: number
  databaseUrl?: string
  rates?: Partial<Record<RateName, string>>
  passwordCost?: ScryptCost
  log: Logger
  /** Password checks waiting beyond the four running before the authority answers 503 busy. */
  maxHashQueue?: number
  /** Reverse proxies (addresses or ADDRESS/BITS) whose X-Forwarded-For names the client. */
  trustedProxies?: readonly string[]
  /** PEM certificate chain and private key: with them the authority serves https itself. */
  tls?: { cert: string; key: string }
  /** How to tell clients apart; the socket's remote address (or X-Forwarded-For from a trusted proxy) by default. */
  clientAddress?: (c: Context) => string
}

export interface RunningAuthority {
  url: string
  networkId: string
  networkPublicKey: Uint8Array
  store: 'sqlite' | 'postgres'
  close(): Promise<void>
}

export interface BuiltAuthority {
  app: Hono
  service: AuthorityService
  store: AuthorityStore
}

/** Everything but the socket: what tests drive in-process through `app.fetch`. */
export async function buildAuthority(opts: Omit<AuthorityOptions, 'host' | 'port'>): Promise<BuiltAuthority> {
  const files = loadAuthorityFiles(opts.dataDir)
  const store = openStore({ databaseUrl: opts.databaseUrl, sqlitePath: join(opts.dataDir, SQLITE_FILE) })
  await store.migrate()
  const metrics = createAuthorityMetrics()
  const service = new AuthorityService({
    store,
    networkKey: files.networkKey,
    settings: files.settings,
    metrics,
    passwordCost: opts.passwordCost,
    hashGate: new HashGate(DEFAULT_HASH_CONCURRENCY, opts.maxHashQueue ?? DEFAULT_HASH_QUEUE),
  })
  const proxies = opts.trustedProxies?.length ? trustedProxies(opts.trustedProxies) : undefined
  const limits = new AuthorityLimits(opts.rates)
  const app = createAuthorityApp({
    service,
    store,
    metrics,
    adminToken: files.adminToken,
    log: opts.log,
    limits,
    clientAddress:
      opts.clientAddress ??
      ((c) =>
        clientAddress(getConnInfo(c).remote.address ?? 'unknown', c.req.header('x-forwarded-for'), proxies)),
  })
  return { app, service, store }
}

export async function startAuthority(opts: AuthorityOptions): Promise<RunningAuthority> {
  const { app, service, store } = await buildAuthority(opts)
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const base = { fetch: app.fetch, hostname: opts.host, port: opts.port }
    const s =
      opts.tls === undefined
        ? serve(base, () => resolve(s))
        : serve({ ...base, createServer: createHttpsServer, serverOptions: opts.tls }, () => resolve(s))
    s.once('error', reject)
  })
  const purge = setInterval(() => {
    store
      .purgeChallenges(Date.now())
      .catch((err: unknown) => opts.log.warn({ err }, 'challenge purge failed'))
  }, 60_000)
  purge.unref()

  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `${opts.tls === undefined ? 'http' : 'https'}://${host}:${address.port}`,
    networkPublicKey: service.networkPublicKey,
    networkId: service.networkId,
    store: opts.databaseUrl === undefined ? 'sqlite' : 'postgres',
    close: async () => {
      clearInterval(purge)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      await store.close()
    },
  }
}
