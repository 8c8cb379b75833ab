/**
 * The device's calls API (src/device/call-api.ts), through api.ts's request:
 * TURN credentials, live signals to a contact's devices (and our other
 * ones), and call events written into the conversation.
 */
import { request } from './api.js'
import type { CallWhat, Signal } from './call-signal.js'

const TIMEOUT_MS = 10_000

function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  if (method === 'GET') return request<T>(method, path, { timeoutMs: TIMEOUT_MS })
  return request<T>(method, path, {
    body: JSON.stringify(body ?? {}),
    headers: { 'content-type': 'application/json' },
    timeoutMs: TIMEOUT_MS,
  })
}

const u = (username: string) => encodeURIComponent(username)

export const callApi = {
  /** TURN credentials, and 'relay' when the device is set to keep its address from the callee (`--calls-relay-only`). */
  iceServers: () =>
    call<{ iceServers: RTCIceServer[]; ttlS: number; iceTransportPolicy?: RTCIceTransportPolicy }>(
      'GET',
      '/v1/call/ice-servers',
    ),
  /**
   * One signal, or several in order as a JSON array (see parseSignals); how
   * many of the contact's devices took it.
   */
  signal: async (to: string, batch: Signal[]) => {
    const payload = JSON.stringify(batch.length === 1 ? batch[0] : batch)
    return (await call<{ contactDevices: number }>('POST', `/v1/call/signal/${u(to)}`, { payload }))
      .contactDevices
  },
  event: (to: string, id: string, what: CallWhat, durationMs = 0) =>
    call<unknown>('POST', `/v1/call/event/${u(to)}`, { call: id, what, durationMs }),
}
