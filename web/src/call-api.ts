/**
 * The device's calls API (src/device/call-api.ts), same origin like api.ts:
 * TURN credentials, live signals to a contact's devices (and our other
 * ones), and call events written into the conversation.
 */
import { ApiError } from './api.js'
import type { CallWhat, Signal } from './call-signal.js'

const TIMEOUT_MS = 10_000

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => {
    throw new ApiError(0, 'unreachable', 'The device does not answer. Is parley up still running?')
  })
  const json: unknown = await res.json().catch(() => undefined)
  if (!res.ok) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    throw new ApiError(
      res.status,
      typeof e?.code === 'string' ? e.code : `http_${res.status}`,
      typeof e?.message === 'string' ? e.message : `The device answered ${res.status}.`,
    )
  }
  return json as T
}

const u = (username: string) => encodeURIComponent(username)

export const callApi = {
  iceServers: () => call<{ iceServers: RTCIceServer[]; ttlS: number }>('GET', '/v1/call/ice-servers'),
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
