/**
 * The authority restarted (SIGTERM, and SIGKILL) keeps accounts and keeps its
 * key: old certificates still verify. On PostgreSQL, two authority processes
 * share one database: an account made on one signs in on the other.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { loadIdentity } from '../src/device/session.js'
import { Profile } from '../src/device/profile.js'
import { verifyCertificate } from '../src/trust/certificate.js'
import { verifyNetworkConfig } from '../src/trust/network-config.js'
import { fromBase64 } from '../src/wire/bytes.js'
import { initAuthorityDir, startTestAuthority } from './support/authority.js'
import { createTestDatabase } from './support/postgres.js'
import { run, tempDir } from './support/process.js'

const home = tempDir('parley-home-')
const passwordFile = join(home.path, 'password')
writeFileSync(passwordFile, 'a long enough password\n')
afterAll(() => home.remove())

const parley = (args: string[], authority: string) =>
  run([...args, '--password-file', passwordFile], {
    env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: authority },
  })

async function networkConfigOf(url: string) {
  const res = (await (await fetch(`${url}/v1/network-config`)).json()) as { config: string }
  return verifyNetworkConfig(fromBase64(res.config, 65536) ?? new Uint8Array())
}

describe.each([
  ['SQLite', undefined],
  ['PostgreSQL', 'postgres'],
])('an authority on %s', (store, kind) => {
  it('restarted after SIGTERM and after SIGKILL: accounts persist and old certificates still verify', async () => {
    const db = kind === undefined ? undefined : await createTestDatabase(inject('databaseUrl'))
    const dir = await initAuthorityDir()
    try {
      const first = await startTestAuthority({ dataDir: dir.dataDir, databaseUrl: db?.url })
      const user = `restart-${store.toLowerCase()}`
      expect(
        (
          await run(['register', user, '--profile', `${user}-a`, '--password-file', passwordFile], {
            env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: first.url },
          })
        ).code,
      ).toBe(0)
      const before = loadIdentity(new Profile(home.path, `${user}-a`)).certificate
      await first.stop('SIGTERM')

      const second = await startTestAuthority({ dataDir: dir.dataDir, databaseUrl: db?.url })
      const config = await networkConfigOf(second.url)
      // The old certificate verifies with the restarted authority's published key.
      const verified = verifyCertificate(before.bytes, {
        networkPublicKey: config.networkPublicKey,
        networkId: config.networkId,
        now: Date.now(),
      })
      expect(verified.username).toBe(user)
      // The account persisted: the password still signs a new device in.
      expect((await parley(['login', user, '--profile', `${user}-b`], second.url)).code).toBe(0)
      await second.stop('SIGKILL')

      const third = await startTestAuthority({ dataDir: dir.dataDir, databaseUrl: db?.url })
      expect((await parley(['login', user, '--profile', `${user}-c`], third.url)).code).toBe(0)
      const devices = await parley(['devices', '--profile', `${user}-a`, '--authority', third.url], third.url)
      expect(devices.stdout.trim().split('\n')).toHaveLength(3)
      await third.stop()
    } finally {
      dir.remove()
      await db?.drop()
    }
  })
})

describe('two authority processes sharing one PostgreSQL database', () => {
  it('see the same accounts, devices and revocations', async () => {
    const db = await createTestDatabase(inject('databaseUrl'))
    const dir = await initAuthorityDir()
    const [a, b] = await Promise.all([
      startTestAuthority({ dataDir: dir.dataDir, databaseUrl: db.url }),
      startTestAuthority({ dataDir: dir.dataDir, databaseUrl: db.url }),
    ])
    try {
      expect((await parley(['register', 'shared', '--profile', 'shared-a'], a.url)).code).toBe(0)
      expect((await parley(['login', 'shared', '--profile', 'shared-b'], b.url)).code).toBe(0)
      const phone = loadIdentity(new Profile(home.path, 'shared-b')).certificate
      expect(
        (await parley(['revoke', phone.deviceId, '--profile', 'shared-a', '--authority', a.url], a.url)).code,
      ).toBe(0)
      // The revocation made through A is in the list B signs.
      const res = (await (await fetch(`${b.url}/v1/revocations`)).json()) as { list: string }
      const { verifyRevocationList } = await import('../src/trust/revocations.js')
      const config = await networkConfigOf(b.url)
      const list = verifyRevocationList(fromBase64(res.list, 1 << 20) ?? new Uint8Array(), config)
      expect(list.has(phone.deviceId)).toBe(true)
      const renew = await run(['renew', '--profile', 'shared-b'], { env: { PARLEY_HOME: home.path } })
      expect(renew.stderr).toMatch(/\[device_revoked\]/)
    } finally {
      await Promise.all([a.stop(), b.stop()])
      dir.remove()
      await db.drop()
    }
  })
})
