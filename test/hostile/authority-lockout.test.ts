/**
 * Issue 10, M2: lockout and flood attacks on a real authority process.
 *
 * The attacker sends from its own loopback address (127.0.0.2 and up; all of
 * 127.0.0.0/8 is loopback on Linux), the user runs the real CLI from
 * 127.0.0.1. The user must notice nothing: she signs in, lists and revokes
 * devices while the attacker is refused with `rate_limited`.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { renew } from '../../src/device/session.js'
import { startTestAuthority, type TestAuthority } from '../support/authority.js'
import { postFrom, type Answer } from '../support/http-from.js'
import { run, tempDir } from '../support/process.js'

const PASSWORD = 'correct horse battery'
const home = tempDir('parley-lockout-')
const passwordFile = join(home.path, 'password')
writeFileSync(passwordFile, `${PASSWORD}\n`)
afterAll(() => home.remove())

const B64_32 = Buffer.alloc(32, 7).toString('base64')

/** A wrong-password sign-in with made-up key material: the password check refuses it first. */
const guess = (authority: TestAuthority, username: string, from: string, password = 'not the password') =>
  postFrom(
    authority.url,
    '/v1/sign-in',
    { username, password, deviceName: 'x', devicePublicKey: B64_32, challenge: B64_32, proof: B64_32 },
    { from },
  )

function cli(authority: TestAuthority, args: string[]) {
  return run([...args, '--password-file', passwordFile], {
    env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: authority.url },
  })
}

async function deviceIdOf(authority: TestAuthority, profile: string): Promise<string> {
  const res = await run(['whoami', '--profile', profile, '--json'], {
    env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: authority.url },
  })
  return (JSON.parse(res.stdout) as { deviceId: string }).deviceId
}

const codes = (answers: Answer[]): (string | undefined)[] => answers.map((a) => a.code)

function expectLimited(answer: Answer): void {
  expect(answer.status).toBe(429)
  expect(answer.code).toBe('rate_limited')
  expect(answer.retryAfter).toBeGreaterThan(0)
}

function countRows(authority: TestAuthority, sql: string, ...params: unknown[]): number {
  const db = new Database(join(authority.dataDir, 'authority.db'), { readonly: true })
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n
  } finally {
    db.close()
  }
}

describe('an attacker hammering one user from one address', () => {
  let authority: TestAuthority
  beforeAll(async () => {
    authority = await startTestAuthority({ extraArgs: ['--rate-user', '3/1h', '--rate-address', '12/1h'] })
    expect((await cli(authority, ['register', 'alice', '--profile', 'laptop'])).code).toBe(0)
    expect((await cli(authority, ['login', 'alice', '--profile', 'stolen'])).code).toBe(0)
  })
  afterAll(() => authority.stop())

  it('is refused with rate_limited, while the user still signs in, lists and revokes from her own address', async () => {
    const attacks: Answer[] = []
    for (let i = 0; i < 8; i++) attacks.push(await guess(authority, 'alice', '127.0.0.2'))

    const login = await cli(authority, ['login', 'alice', '--profile', 'phone'])
    expect(login.stderr).toBe('')
    expect(login.code).toBe(0)
    expect(login.stdout).toMatch(/signed in as alice on device/)
    // The attacker had three guesses, then refusals.
    expect(codes(attacks.slice(0, 3))).toEqual(Array(3).fill('invalid_credentials'))
    for (const a of attacks.slice(3)) expectLimited(a)

    const stolen = await deviceIdOf(authority, 'stolen')
    const list = await cli(authority, ['devices', '--profile', 'laptop'])
    expect(list.code).toBe(0)
    expect(list.stdout).toContain(stolen)
    const revoke = await cli(authority, ['revoke', stolen, '--profile', 'laptop'])
    expect(revoke.stderr).toBe('')
    expect(revoke.code).toBe(0)
    expect(revoke.stdout).toMatch(`revoked ${stolen}`)

    // Her successes gave the attacker nothing back.
    expectLimited(await guess(authority, 'alice', '127.0.0.2'))
    // Nor can the attacker's address spray guesses over every other account.
    const spray: Answer[] = []
    for (let i = 0; i < 12; i++) spray.push(await guess(authority, `user${i}`, '127.0.0.2'))
    expect(codes(spray.slice(0, 9))).toEqual(Array(9).fill('invalid_credentials'))
    for (const a of spray.slice(9)) expectLimited(a)
  })

  it('never counts a right password: the user signs in again and again', async () => {
    const client = new AuthorityClient(authority.url)
    for (let i = 0; i < 6; i++) expect(await client.listDevices('alice', PASSWORD)).toHaveLength(3)
  })
})

describe('floods of challenges and renewals (default limits)', () => {
  let authority: TestAuthority
  beforeAll(async () => {
    authority = await startTestAuthority()
    expect((await cli(authority, ['register', 'bob', '--profile', 'bob'])).code).toBe(0)
  })
  afterAll(() => authority.stop())

  it('refuses a challenge flood from one address, and refused challenges write no row', async () => {
    const before = countRows(authority, 'SELECT count(*) AS n FROM challenges')
    const started = Date.now()
    const answers: Answer[] = []
    for (let i = 0; i < 120; i++)
      answers.push(await postFrom(authority.url, '/v1/challenges', {}, { from: '127.0.0.5' }))
    const elapsedS = (Date.now() - started) / 1000
    const issued = answers.filter((a) => a.status === 200).length
    for (const a of answers.filter((x) => x.status !== 200)) expectLimited(a)
    // The default is 30 a minute: a burst of 30, then one every 2 s of the flood.
    expect(issued).toBeLessThanOrEqual(30 + Math.ceil(elapsedS / 2))
    expect(countRows(authority, 'SELECT count(*) AS n FROM challenges')).toBeLessThanOrEqual(before + issued)
    // Another address is not held up by the flood.
    expect((await postFrom(authority.url, '/v1/challenges', {}, { from: '127.0.0.6' })).status).toBe(200)
  })

  it('limits one device to 10 renewals an hour; refused renewals issue no certificate', async () => {
    const deviceId = await deviceIdOf(authority, 'bob')
    const profile = new Profile(home.path, 'bob')
    for (let i = 0; i < 10; i++) await renew(profile)
    const refused = await run(['renew', '--profile', 'bob'], {
      env: { PARLEY_HOME: home.path, PARLEY_AUTHORITY: authority.url },
    })
    expect(refused.stderr).toMatch(/the authority refused: .*\[rate_limited\] \(try again in \d+ s\)/)
    expect(refused.code).toBe(1)
    expect(refused.stderr).not.toMatch(/\n\s+at /)
    // One certificate at sign-in, one per renewal admitted.
    expect(countRows(authority, 'SELECT count(*) AS n FROM certificates WHERE device_id = ?', deviceId)).toBe(
      11,
    )
  })
})

describe('behind a reverse proxy', () => {
  const PROXY = '127.0.0.3'
  let authority: TestAuthority
  beforeAll(async () => {
    authority = await startTestAuthority({
      extraArgs: ['--rate-user', '3/1h', '--rate-address', '12/1h', '--trusted-proxy', PROXY],
    })
    expect((await cli(authority, ['register', 'carol', '--profile', 'carol'])).code).toBe(0)
  })
  afterAll(() => authority.stop())

  const viaProxy = (client: string, username: string, password: string) =>
    postFrom(
      authority.url,
      '/v1/devices/list',
      { username, password },
      {
        from: PROXY,
        headers: { 'x-forwarded-for': client },
      },
    )

  it('keys on the client named by the proxy, by IPv6 /64: rotating within a /64 gains nothing', async () => {
    const attacks: Answer[] = []
    for (let i = 1; i <= 6; i++)
      attacks.push(await viaProxy(`2001:db8:0:1::${i}`, 'carol', 'not the password'))

    // Carol, behind the same proxy from her own address, gets in.
    const carol = await viaProxy('198.51.100.7', 'carol', PASSWORD)
    expect(carol.code).toBeUndefined()
    expect(carol.status).toBe(200)
    // The attacker had three guesses, then refusals.
    expect(codes(attacks.slice(0, 3))).toEqual(Array(3).fill('invalid_credentials'))
    for (const a of attacks.slice(3)) expectLimited(a)
    // The attacker's /64 cannot spray other accounts past the per-address cap either.
    const spray: Answer[] = []
    for (let i = 0; i < 12; i++)
      spray.push(await viaProxy(`2001:db8:0:1::${100 + i}`, `user${i}`, 'nope nope'))
    expect(codes(spray.slice(0, 9))).toEqual(Array(9).fill('invalid_credentials'))
    for (const a of spray.slice(9)) expectLimited(a)
  })

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const answers: Answer[] = []
    for (let i = 1; i <= 5; i++) {
      answers.push(
        await postFrom(
          authority.url,
          '/v1/devices/list',
          { username: 'carol', password: 'not the password' },
          { from: '127.0.0.2', headers: { 'x-forwarded-for': `203.0.113.${i}` } },
        ),
      )
    }
    expect(codes(answers.slice(0, 3))).toEqual(Array(3).fill('invalid_credentials'))
    for (const a of answers.slice(3)) expectLimited(a)
  })
})
