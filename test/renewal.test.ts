/**
 * Certificates renew before expiry while the authority is reachable; an
 * unreachable authority is not an error while the certificate is valid, and a
 * clear one after it expires. Uses 8.6-second certificates.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, expect, it } from 'vitest'
import { Profile } from '../src/device/profile.js'
import { loadIdentity, renewalJitter } from '../src/device/session.js'
import { renewalTime } from '../src/trust/renewal.js'
import { initAuthorityDir, startTestAuthority } from './support/authority.js'
import { run, tempDir } from './support/process.js'

const home = tempDir('parley-home-')
afterAll(() => home.remove())

interface Whoami {
  serial: string
  notAfter: number
  renewed: boolean
  renewalProblem: string | null
}

const whoami = async (): Promise<{ code: number | null; info?: Whoami; stderr: string }> => {
  const res = await run(['whoami', '--json'], { env: { PARLEY_HOME: home.path } })
  return {
    code: res.code,
    stderr: res.stderr,
    info: res.code === 0 ? (JSON.parse(res.stdout) as Whoami) : undefined,
  }
}

async function sleepUntil(ms: number): Promise<void> {
  await sleep(Math.max(0, ms - Date.now()))
}

it('renews when due, rides out an unreachable authority while valid, and says so once expired', async () => {
  const dir = await initAuthorityDir()
  expect(
    (await run(['authority', 'config', '--data-dir', dir.dataDir, '--certificate-validity', '0.0001'])).code,
  ).toBe(0)
  const authority = await startTestAuthority({ dataDir: dir.dataDir })
  const password = join(home.path, 'pw')
  writeFileSync(password, 'renewal test password\n')
  try {
    const reg = await run(
      ['register', 'renewer', '--password-file', password, '--authority', authority.url],
      { env: { PARLEY_HOME: home.path } },
    )
    expect(reg.code).toBe(0)
    const first = loadIdentity(new Profile(home.path)).certificate

    const early = await whoami()
    expect(early.info?.renewed).toBe(false)
    expect(early.info?.serial).toBe(first.serial.toString())

    await sleepUntil(renewalTime(first, renewalJitter(first)) + 100)
    const renewed = await whoami()
    expect(renewed.info?.renewed).toBe(true)
    expect(renewed.info?.serial).not.toBe(first.serial.toString())
    expect(renewed.info?.notAfter).toBeGreaterThan(first.notAfter)

    await authority.stop()
    const second = loadIdentity(new Profile(home.path)).certificate
    await sleepUntil(renewalTime(second, renewalJitter(second)) + 100)
    const offline = await whoami()
    expect(offline.code).toBe(0)
    expect(offline.info?.renewed).toBe(false)
    expect(offline.info?.renewalProblem).toMatch(/cannot reach the authority/)

    await sleepUntil(second.notAfter + 100)
    const expired = await whoami()
    expect(expired.code).toBe(1)
    expect(expired.stderr).toMatch(
      /certificate expired at .* could not be renewed: cannot reach the authority/,
    )
  } finally {
    await authority.stop()
    dir.remove()
  }
})
