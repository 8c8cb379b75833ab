/**
 * The CLI's way to the running device: its local API's address and token
 * from the profile (api-file.ts), and one request with a clear error when no
 * device runs or it does not answer. Light on purpose: `parley send` and the
 * other commands that ask the running device load this, not the device.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { API_FILE, type ApiInfo } from '../device/api-file.js'
import { apiAnswer, CliError } from './errors.js'
import { profileOf, type DeviceOptions } from './options.js'

/** The running device's local API (its address and the CLI's token), or a clear error when none runs. */
export function nodeApi(opts: DeviceOptions): ApiInfo & { profile: string } {
  const profile = profileOf(opts)
  const file = join(profile.dir, API_FILE)
  if (!existsSync(file))
    throw new CliError(
      `no device is running for profile "${profile.name}"; start it with: parley up --profile ${profile.name}`,
    )
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as ApiInfo), profile: profile.name }
}

export async function callNode(
  opts: DeviceOptions,
  path: string,
  send?: { method: 'POST'; body?: unknown },
): Promise<Record<string, unknown>> {
  const api = nodeApi(opts)
  const profile = { name: api.profile }
  let res: Response
  try {
    res = await fetch(api.url + path, {
      method: send?.method ?? 'GET',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: send === undefined ? undefined : JSON.stringify(send.body ?? {}),
      signal: AbortSignal.timeout(15_000),
    })
  } catch {
    throw new CliError(
      `the device for profile "${profile.name}" does not answer (pid ${api.pid}); is parley up still running?`,
    )
  }
  return apiAnswer(res, `the device for profile "${profile.name}"`)
}
