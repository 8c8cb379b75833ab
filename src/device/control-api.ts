/**
 * The device node's local API on 127.0.0.1, for the CLI (and, later, the web
 * client). A random token, kept in the profile with mode 0600, is required on
 * every request; requests from a web page's Origin are refused, so no site
 * the user visits can drive the node.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { isUsername } from '../wire/fields.js'
import type { ChatService } from '../chat/service.js'
import { addChatRoutes } from './chat-api.js'
import { LookupError, type DeviceNode } from './node.js'
import { writePrivateJson } from './private-file.js'

export const API_FILE = 'api.json'

export interface ApiInfo {
  url: string
  token: string
  pid: number
}

function sameToken(presented: string, token: string): boolean {
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(token).digest()
  return presented.length > 0 && timingSafeEqual(a, b)
}

export function createControlApp(device: DeviceNode, token: string, chat?: ChatService): Hono {
  const app = new Hono()
  app.use(async (c, next) => {
    if (c.req.header('origin') !== undefined)
      return c.json(
        { error: { code: 'forbidden_origin', message: 'requests from web pages are refused' } },
        403,
      )
    const presented = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
    if (!sameToken(presented, token))
      return c.json({ error: { code: 'unauthorized', message: 'missing or wrong token' } }, 401)
    await next()
  })
  app.get('/v1/status', (c) =>
    c.json({
      ...device.status(),
      chat: chat && { status: chat.status(), username: chat.username, outbox: chat.store.pending() },
    }),
  )
  if (chat !== undefined) addChatRoutes(app, chat)
  app.get('/v1/lookup/:username', async (c) => {
    const username = c.req.param('username')
    if (!isUsername(username))
      return c.json({ error: { code: 'invalid_username', message: 'not a valid username' } }, 400)
    try {
      const devices = await device.lookup(username)
      const reach = c.req.query('reach') === '1'
      const out = await Promise.all(
        devices.map(async (p) => ({
          deviceId: p.deviceId,
          deviceName: p.deviceName,
          status: p.status,
          addrs: p.addrs,
          expiresAt: p.expiresAt,
          reached: reach ? await device.reach(p).catch((err: Error) => ({ error: err.message })) : undefined,
        })),
      )
      return c.json({ username, devices: out })
    } catch (err) {
      if (err instanceof LookupError) return c.json({ error: { code: err.code, message: err.message } }, 503)
      throw err
    }
  })
  return app
}

export async function startControlApi(
  device: DeviceNode,
  profileDir: string,
  chat?: ChatService,
): Promise<{ info: ApiInfo; close: () => Promise<void> }> {
  const token = randomBytes(32).toString('base64url')
  const app = createControlApp(device, token, chat)
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const info = { url: `http://127.0.0.1:${port}`, token, pid: process.pid }
  writePrivateJson(join(profileDir, API_FILE), info)
  return {
    info,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(join(profileDir, API_FILE), { force: true })
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
