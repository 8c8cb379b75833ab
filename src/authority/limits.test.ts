import { describe, expect, it } from 'vitest'
import { AuthorityLimits } from './limits.js'

const fail = (limits: AuthorityLimits, user: string, address: string, now = 0): boolean => {
  const v = limits.password(user, address, now)
  return v.ok
}

describe('AuthorityLimits (virtual time)', () => {
  it('counts failures per (user, address prefix): another network still gets in', () => {
    const limits = new AuthorityLimits({ perUser: '3/1h', perAddress: '100/1h' })
    expect([1, 2, 3, 4].map(() => fail(limits, 'alice', '203.0.113.9'))).toEqual([true, true, true, false])
    expect(limits.password('alice', '203.0.113.9', 0)).toMatchObject({ ok: false, scope: 'user' })
    expect(fail(limits, 'alice', '198.51.100.1')).toBe(true)
    expect(fail(limits, 'bob', '203.0.113.9')).toBe(true)
  })

  it('keys IPv6 on the /64', () => {
    const limits = new AuthorityLimits({ perUser: '1/1h', perAddress: '100/1h' })
    expect(fail(limits, 'alice', '2001:db8:0:1::1')).toBe(true)
    expect(fail(limits, 'alice', '2001:db8:0:1::2')).toBe(false)
    expect(fail(limits, 'alice', '2001:db8:0:2::1')).toBe(true)
  })

  it('gives the tokens back for a right password: successes never use up the budget', () => {
    const limits = new AuthorityLimits({ perUser: '2/1h', perAddress: '2/1h' })
    for (let i = 0; i < 10; i++) {
      const v = limits.password('alice', '203.0.113.9', i)
      expect(v.ok).toBe(true)
      if (v.ok) v.ticket.refund(i)
    }
  })

  it('caps one address across usernames, and a refusal by user costs the address nothing', () => {
    const limits = new AuthorityLimits({ perUser: '1/1h', perAddress: '3/1h' })
    expect(fail(limits, 'a', '203.0.113.9')).toBe(true)
    expect(limits.password('a', '203.0.113.9', 0)).toMatchObject({ ok: false, scope: 'user' })
    expect(fail(limits, 'b', '203.0.113.9')).toBe(true)
    expect(fail(limits, 'c', '203.0.113.9')).toBe(true)
    expect(limits.password('d', '203.0.113.9', 0)).toMatchObject({ ok: false, scope: 'address' })
    expect(limits.password('d', '203.0.113.9', 1_200_000).ok).toBe(true)
  })

  it('limits challenges per address prefix and renewals per device', () => {
    const limits = new AuthorityLimits({ challenges: '2/1m', renewals: '1/1h' })
    expect([0, 0, 0].map((t) => limits.challenge('2001:db8::1', t).ok)).toEqual([true, true, false])
    expect(limits.challenge('2001:db8::ffff', 0)).toEqual({
      ok: false,
      scope: 'challenge',
      retryAfterMs: 30_000,
    })
    expect(limits.challenge('2001:db8:0:1::1', 0).ok).toBe(true)
    expect(limits.renewal('device-a', 0).ok).toBe(true)
    expect(limits.renewal('device-a', 0)).toMatchObject({ ok: false, scope: 'renewal' })
    expect(limits.renewal('device-b', 0).ok).toBe(true)
  })
})
