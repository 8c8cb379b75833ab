/** Talks to the devices and supernodes of a real devnet, as the CLI and an operator would. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { vi } from 'vitest'
import type { ApiInfo } from '../../src/device/control-api.js'

export async function deviceApi<T>(
  home: string,
  profile: string,
  path: string,
): Promise<{ status: number; body: T }> {
  const api = JSON.parse(readFileSync(join(home, 'profiles', profile, 'api.json'), 'utf8')) as ApiInfo
  const res = await fetch(api.url + path, {
    headers: { authorization: `Bearer ${api.token}` },
    signal: AbortSignal.timeout(20_000),
  })
  return { status: res.status, body: (await res.json()) as T }
}

export interface LookupAnswer {
  devices: Array<{
    deviceId: string
    deviceName: string
    addrs: string[]
    reached?: { path?: string; error?: string }
  }>
  error?: { code: string; message: string }
}

export interface DeviceStatus {
  peerId: string
  attachments: Array<{ peerId: string; load: number; capacity: number }>
  /** The last publish a supernode took. */
  published?: { at: number; supernodes: number }
}

export const lookup = (home: string, from: string, username: string) =>
  deviceApi<LookupAnswer>(home, from, `/v1/lookup/${username}`)

export const status = async (home: string, profile: string) =>
  (await deviceApi<DeviceStatus>(home, profile, '/v1/status')).body

/**
 * Polls until `check` returns a value (vitest's `vi.waitFor`); past the
 * deadline it fails with what `what` names and the last error `check` threw.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
  what = 'condition',
): Promise<T> {
  let last: unknown
  try {
    return await vi.waitFor(
      async () => {
        let value: T | undefined
        try {
          value = await check()
        } catch (err) {
          last = err
          throw err
        }
        if (value === undefined) throw new NotYet()
        return value
      },
      { timeout: timeoutMs, interval: everyMs },
    )
  } catch {
    const why = last instanceof Error ? `: ${last.message}` : ''
    throw new Error(`${what} not met within ${timeoutMs} ms${why}`, { cause: last })
  }
}

class NotYet extends Error {
  override name = 'NotYet'
}

/** Until every one of `users` is attached twice and each finds the other's one device (two users). */
export async function pairReady(home: string, users: readonly [string, string]): Promise<void> {
  await eventually(async () => {
    for (const u of users) if ((await status(home, u)).attachments.length < 2) return undefined
    for (const [from, u] of [users, [users[1], users[0]]] as const) {
      const r = await lookup(home, from, u)
      if (r.status !== 200 || r.body.devices.length !== 1) return undefined
    }
    return true
  }, 90_000)
}

export async function metric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
}
