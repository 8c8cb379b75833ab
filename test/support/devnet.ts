/** Talks to the devices and supernodes of a real devnet, as the CLI and an operator would. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
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
}

export const lookup = (home: string, from: string, username: string) =>
  deviceApi<LookupAnswer>(home, from, `/v1/lookup/${username}`)

export const status = async (home: string, profile: string) =>
  (await deviceApi<DeviceStatus>(home, profile, '/v1/status')).body

/** Polls until `check` returns a value or the deadline passes; returns the last value seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > end)
      throw new Error(
        `condition not met within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`,
      )
    await sleep(everyMs)
  }
}

export async function metric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
}
