/**
 * Makes two running demo devices contacts through their local APIs, as the
 * users would with `parley add` and `parley accept`. Used by `npm start` so
 * alice and bob can chat at once; a no-op once they are contacts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiInfo } from '../device/control-api.js'

async function call(home: string, profile: string, path: string, body?: unknown): Promise<unknown> {
  const api = JSON.parse(readFileSync(join(home, 'profiles', profile, 'api.json'), 'utf8')) as ApiInfo
  const res = await fetch(api.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  if (!res.ok) throw new Error(`${path}: ${res.status}`)
  return res.json()
}

async function stateOf(home: string, profile: string, peer: string): Promise<string | undefined> {
  const r = (await call(home, profile, '/v1/chat/contacts')) as {
    contacts: { username: string; state: string }[]
  }
  return r.contacts.find((c) => c.username === peer)?.state
}

/** True once `a` and `b` are contacts (within `timeoutMs`). */
export async function introduce(home: string, a: string, b: string, timeoutMs = 20_000): Promise<boolean> {
  if ((await stateOf(home, a, b)) === 'accepted') return true
  if ((await stateOf(home, a, b)) === undefined)
    await call(home, a, `/v1/chat/contacts/${b}`, { greeting: `hi ${b}, it is ${a}` })
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const theirs = await stateOf(home, b, a)
    if (theirs === 'pending') await call(home, b, `/v1/chat/contacts/${a}/accept`, {})
    if ((await stateOf(home, a, b)) === 'accepted') return true
    await sleep(250)
  }
  return false
}

/** A one-time link signing a browser in to a running device's web client. */
export async function signInLink(home: string, profile: string): Promise<string> {
  return ((await call(home, profile, '/v1/auth/link', {})) as { url: string }).url
}
