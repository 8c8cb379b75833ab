/** The device part of the local API: its status and directory lookups (`parley status`, `parley lookup`). */
import { Hono } from 'hono'
import type { ChatService } from '../chat/service.js'
import { isUsername } from '../wire/fields.js'
import { LookupError, type DeviceNode } from './node.js'

export function deviceRoutes(device: () => DeviceNode, chat: () => ChatService | undefined) {
  return new Hono()
    .get('/v1/status', (c) => {
      const svc = chat()
      return c.json({
        ...device().status(),
        chat: svc && { status: svc.status(), username: svc.username, outbox: svc.store.outbox.pending() },
      })
    })
    .get('/v1/lookup/:username', async (c) => {
      const username = c.req.param('username')
      if (!isUsername(username))
        return c.json({ error: { code: 'invalid_username', message: 'not a valid username' } }, 400)
      try {
        const devices = await device().lookup(username)
        const reach = c.req.query('reach') === '1'
        const out = await Promise.all(
          devices.map(async (p) => ({
            deviceId: p.deviceId,
            deviceName: p.deviceName,
            status: p.status,
            addrs: p.addrs,
            expiresAt: p.expiresAt,
            reached: reach
              ? await device()
                  .reach(p)
                  .catch((err: Error) => ({ error: err.message }))
              : undefined,
          })),
        )
        return c.json({ username, devices: out })
      } catch (err) {
        if (err instanceof LookupError)
          return c.json({ error: { code: err.code, message: err.message } }, 503)
        throw err
      }
    })
}
