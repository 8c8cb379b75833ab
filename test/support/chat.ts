/** Users and their devices on a devnet, driven through the local API as the CLI and web client do. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ApiInfo } from '../../src/device/control-api.js'
import { DEMO_PASSWORD, type Devnet } from '../../src/devnet/devnet.js'
import { run, startDaemon, type Daemon } from './process.js'

export interface Message {
  id: string
  conversation: string
  sender: string
  text: string
  state: string
  edited: boolean
  deleted: boolean
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Calls a running device's local API; throws ApiError with the stable code on refusal. */
export async function api<T = Record<string, unknown>>(
  home: string,
  profile: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const info = JSON.parse(readFileSync(join(home, 'profiles', profile, 'api.json'), 'utf8')) as ApiInfo
  const res = await fetch(info.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  })
  const json = (await res.json()) as T & { error?: { code: string; message: string } }
  if (!res.ok) throw new ApiError(res.status, json.error?.code ?? '', json.error?.message ?? res.statusText)
  return json
}

/** Signs a device in as `username` (registering the user on first use). */
export async function signIn(net: Devnet, profile: string, username: string): Promise<void> {
  const file = join(net.home, 'password')
  writeFileSync(file, `${DEMO_PASSWORD}\n`)
  const env = { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl }
  const common = ['--profile', profile, '--password-file', file, '--device-name', profile]
  const reg = await run(['register', username, ...common], { env })
  if (reg.code !== 0 && !reg.stderr.includes('username_taken')) throw new Error(reg.stderr)
  if (reg.code !== 0) {
    const login = await run(['login', username, ...common], { env })
    if (login.code !== 0) throw new Error(login.stderr)
  }
}

/** `parley up` for a profile: a real device process. */
export async function up(net: Devnet, profile: string, extra: string[] = []): Promise<Daemon> {
  return startDaemon(['up', '--profile', profile, '--fast-reattach', ...extra], /device (\S+) up/, {
    env: { PARLEY_HOME: net.home },
  })
}

export const send = (home: string, from: string, to: string, text: string) =>
  api<{ message: Message }>(home, from, `/v1/chat/messages/${to}`, { text })

export const conversation = async (home: string, profile: string, peer: string, limit = 10_000) =>
  (await api<{ messages: Message[] }>(home, profile, `/v1/chat/messages/${peer}?limit=${limit}`)).messages

/** The R=3 supernodes that hold a username's records and offline messages, as the network places them. */
export async function replicasOf(net: Devnet, username: string): Promise<string[]> {
  const res = await fetch(`${net.supernodes[0]!.httpUrl}/v1/replicas/${username}`)
  return ((await res.json()) as { replicas: string[] }).replicas
}
