/**
 * A supernode's HTTP port: /health, /metrics (Prometheus), /v1/status, and
 * /v1/replicas/<username> (where this supernode places that username's
 * presence records and offline items: public, since anyone holding the
 * membership and the grant list can compute it).
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { SupernodeMetrics } from './metrics.js'

export async function startSupernodeHttp(opts: {
  host: string
  port: number
  metrics: SupernodeMetrics
  status: () => unknown
  /** Undefined for a name that is not a username. */
  replicas?: (username: string) => unknown
}): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/metrics', async (c) =>
    c.text(await opts.metrics.registry.metrics(), 200, { 'content-type': opts.metrics.registry.contentType }),
  )
  app.get('/v1/status', (c) => c.json(opts.status()))
  app.get('/v1/replicas/:username', (c) => {
    const answer = opts.replicas?.(c.req.param('username'))
    return answer === undefined
      ? c.json({ error: { code: 'invalid_username', message: 'not a username' } }, 400)
      : c.json(answer)
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, () => resolve(s))
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
