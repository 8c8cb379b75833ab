/** Wrong passwords are limited per (username, address) and per address: 429 with Retry-After, against a real authority. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAuthority, type TestAuthority } from './support/authority.js'

let authority: TestAuthority

beforeAll(async () => {
  authority = await startTestAuthority({
    extraArgs: ['--rate-user', '3/1h', '--rate-address', '8/1h', '--rate-register', '4/1h'],
  })
})
afterAll(() => authority.stop())

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${authority.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** A wrong-password attempt that fails at the password, before any key proof is looked at. */
const attempt = (username: string) => post('/v1/devices/list', { username, password: 'not the password' })

describe('rate limits', () => {
  it('refuses the fourth attempt on one username with 429 and Retry-After, and other names still get an answer', async () => {
    expect((await post('/v1/accounts', { username: 'target', password: 'the real password' })).status).toBe(
      201,
    )
    for (let i = 0; i < 3; i++) expect((await attempt('target')).status).toBe(401)
    const limited = await attempt('target')
    expect(limited.status).toBe(429)
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    const retry = Number(limited.headers.get('retry-after'))
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(1200) // one token comes back every 20 minutes at 3/1h
    // From the address that used up the budget, even the right password is refused: it cannot be told from a guess.
    expect(
      (await post('/v1/devices/list', { username: 'target', password: 'the real password' })).status,
    ).toBe(429)
    // Another username from the same address is not locked out by this one.
    expect((await attempt('other')).status).toBe(401)
  })

  it('limits one client address across usernames', async () => {
    // 4 failures counted above (3 on target + 1 on other; refusals do not count) = address tokens 8 → 4 left.
    const statuses: number[] = []
    for (const name of ['name1', 'name2', 'name3', 'name4', 'name5', 'name6']) {
      statuses.push((await attempt(name)).status)
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401])
    expect(statuses.slice(4)).toEqual([429, 429])
  })

  it('limits registrations per address', async () => {
    const statuses: number[] = []
    for (const name of ['reg1', 'reg2', 'reg3', 'reg4']) {
      statuses.push((await post('/v1/accounts', { username: name, password: 'a long password' })).status)
    }
    // One registration was used by "target" above.
    expect(statuses).toEqual([201, 201, 201, 429])
  })

  it('counts refusals in /metrics', async () => {
    const text = await (await fetch(`${authority.url}/metrics`)).text()
    expect(text).toMatch(/parley_authority_rate_limited_total\{scope="user"\} [1-9]/)
    expect(text).toMatch(/parley_authority_rate_limited_total\{scope="address"\} [1-9]/)
    expect(text).toMatch(/parley_authority_rate_limited_total\{scope="registration"\} 1/)
  })
})
