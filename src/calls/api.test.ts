/**
 * `GET /v1/call/ice-servers`: TURN credentials, and with `--calls-relay-only`
 * WebRTC's relay policy, which never falls back to showing the device's
 * address when no relay can be had (M6's residual, docs/security.md).
 */
import { describe, expect, it } from 'vitest'
import { callRoutes } from './api.js'

const TURN = { urls: ['turn:192.0.2.1:3478?transport=udp'], username: '1:dev', credential: 'c', ttlS: 3600 }

function app(turn: () => Promise<typeof TURN>, relayOnly?: boolean) {
  return callRoutes(turn, () => undefined, relayOnly === undefined ? {} : { relayOnly })
}

async function ice(a: ReturnType<typeof app>) {
  const res = await a.request('/v1/call/ice-servers')
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('ICE servers for the web client', () => {
  it('hands out the TURN credentials, every candidate type allowed by default', async () => {
    expect(await ice(app(() => Promise.resolve(TURN)))).toEqual({
      status: 200,
      body: {
        iceServers: [{ urls: TURN.urls, username: '1:dev', credential: 'c' }],
        ttlS: 3600,
        iceTransportPolicy: 'all',
      },
    })
    expect((await ice(app(() => Promise.reject(new Error('no supernode'))))).status).toBe(503)
  })

  it('relay-only: TURN candidates only, and without TURN no fallback to the device address', async () => {
    expect((await ice(app(() => Promise.resolve(TURN), true))).body).toMatchObject({
      iceTransportPolicy: 'relay',
      ttlS: 3600,
    })
    expect(await ice(app(() => Promise.reject(new Error('no supernode')), true))).toEqual({
      status: 200,
      body: { iceServers: [], ttlS: 0, iceTransportPolicy: 'relay' },
    })
  })
})
