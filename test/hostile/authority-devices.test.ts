/**
 * H2's authority side, on a real authority process: one account cannot mint
 * device keys without end (32 signed in at once; past that `device_limit`
 * until one is revoked), and its owner cannot revoke without end (20 a day;
 * past that `rate_limited` with a time to retry). Mass self-revocation would
 * otherwise grow the revocation list every node fetches, and many keys would
 * let one account grind the directory's placement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorityClient, AuthorityRefusedError } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { signIn } from '../../src/device/session.js'
import { DEVICES_PER_ACCOUNT, OWNER_REVOCATIONS } from '../../src/authority/service.js'
import { startTestAuthority, type TestAuthority } from '../support/authority.js'
import { tempDir } from '../support/process.js'

const PASSWORD = 'a long enough password'
const home = tempDir('parley-hostile-devices-')
let authority: TestAuthority

beforeAll(async () => {
  // Challenges are limited per address; this test signs in many devices from one.
  authority = await startTestAuthority({ extraArgs: ['--rate-challenge', '10000/1m'] })
  await new AuthorityClient(authority.url).register('hoarder', PASSWORD)
}, 60_000)

afterAll(async () => {
  await authority?.stop()
  home.remove()
})

const device = (i: number) =>
  signIn({
    profile: new Profile(home.path, `d${i}`),
    authority: authority.url,
    username: 'hoarder',
    password: PASSWORD,
    deviceName: `d${i}`,
  })

const refusal = (p: Promise<unknown>): Promise<AuthorityRefusedError | undefined> =>
  p.then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof AuthorityRefusedError) return err
      throw err
    },
  )

describe('one account and its devices', () => {
  it('signs in at most 32 devices at once, and revokes at most 20 a day', { timeout: 120_000 }, async () => {
    const ids: string[] = []
    for (let i = 0; i < DEVICES_PER_ACCOUNT; i++) ids.push((await device(i)).deviceId)
    const over = await refusal(device(DEVICES_PER_ACCOUNT))
    expect(over?.code).toBe('device_limit')
    expect(over?.message).toMatch(/revoke one first/)
    // A device already signed in still signs in again (renewal of its place, not a new key).
    expect((await device(0)).deviceId).toBe(ids[0])

    const client = new AuthorityClient(authority.url)
    for (const id of ids.slice(0, OWNER_REVOCATIONS.burst)) await client.revoke('hoarder', PASSWORD, id)
    const tooMany = await refusal(client.revoke('hoarder', PASSWORD, ids[OWNER_REVOCATIONS.burst]!))
    expect(tooMany?.code).toBe('rate_limited')
    expect(tooMany?.retryAfterSeconds).toBeGreaterThan(0)
    // Revoking made room: a new device signs in.
    expect((await device(DEVICES_PER_ACCOUNT + 1)).deviceId).not.toBe('')
  })
})
