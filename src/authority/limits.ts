/**
 * The authority's admission limits, as one sans-IO policy over token buckets.
 *
 * Password checks count failures only: a token is taken before the check, so
 * parallel guesses cannot outrun the bucket, and given back when the password
 * was right. Failures count per (username, address prefix), so an attacker
 * hammering a user from one network locks out only that network, never the
 * user; and per address prefix across usernames, so one network cannot spray
 * guesses over every account. Challenges are limited per address prefix and
 * renewals per device: each writes a row.
 */
import { addressPrefix } from './client-address.js'
import { DEFAULT_MAX_KEYS, parseRate, RateLimiter } from './rate-limit.js'

export const DEFAULT_RATES = {
  /** Password failures per (username, address prefix). */
  perUser: '10/5m',
  /** Password failures per address prefix, across usernames. */
  perAddress: '30/5m',
  registrations: '20/1h',
  /** Challenges per address prefix. */
  challenges: '30/1m',
  /** Renewals per device. */
  renewals: '10/1h',
} as const

export type RateName = keyof typeof DEFAULT_RATES

/** Which limit refused: the `scope` label of parley_authority_rate_limited_total. */
export type LimitScope = 'user' | 'address' | 'registration' | 'challenge' | 'renewal'

export interface Refusal {
  ok: false
  scope: LimitScope
  retryAfterMs: number
}

export type Verdict = { ok: true } | Refusal

/** A password attempt admitted by the limits; settle it once its outcome is known. */
export interface PasswordTicket {
  /** The password was right (or never checked): the attempt does not count. */
  refund(now: number): void
}

export class AuthorityLimits {
  private readonly userFailures: RateLimiter
  private readonly addressFailures: RateLimiter
  private readonly registrations: RateLimiter
  private readonly challenges: RateLimiter
  private readonly renewals: RateLimiter

  constructor(rates: Partial<Record<RateName, string>> = {}, maxKeys = DEFAULT_MAX_KEYS) {
    const r = { ...DEFAULT_RATES, ...rates }
    const make = (text: string): RateLimiter => new RateLimiter(parseRate(text), maxKeys)
    this.userFailures = make(r.perUser)
    this.addressFailures = make(r.perAddress)
    this.registrations = make(r.registrations)
    this.challenges = make(r.challenges)
    this.renewals = make(r.renewals)
  }

  /** Admits a password attempt for `username` from `address`, or says which limit refused. */
  password(username: string, address: string, now: number): { ok: true; ticket: PasswordTicket } | Refusal {
    const prefix = addressPrefix(address)
    const userKey = `${username}\n${prefix}`
    const byAddress = this.addressFailures.take(prefix, now)
    if (!byAddress.ok) return { ok: false, scope: 'address', retryAfterMs: byAddress.retryAfterMs }
    const byUser = this.userFailures.take(userKey, now)
    if (!byUser.ok) {
      this.addressFailures.refund(prefix, now)
      return { ok: false, scope: 'user', retryAfterMs: byUser.retryAfterMs }
    }
    const ticket: PasswordTicket = {
      refund: (at) => {
        this.addressFailures.refund(prefix, at)
        this.userFailures.refund(userKey, at)
      },
    }
    return { ok: true, ticket }
  }

  /** A failure that is not a password check (a wrong admin token, a certificate that does not verify). */
  failure(address: string, now: number): Verdict {
    return verdict('address', this.addressFailures.take(addressPrefix(address), now))
  }

  registration(address: string, now: number): Verdict {
    return verdict('registration', this.registrations.take(addressPrefix(address), now))
  }

  challenge(address: string, now: number): Verdict {
    return verdict('challenge', this.challenges.take(addressPrefix(address), now))
  }

  renewal(deviceId: string, now: number): Verdict {
    return verdict('renewal', this.renewals.take(deviceId, now))
  }
}

function verdict(scope: LimitScope, admission: { ok: true } | { ok: false; retryAfterMs: number }): Verdict {
  return admission.ok ? admission : { ok: false, scope, retryAfterMs: admission.retryAfterMs }
}
