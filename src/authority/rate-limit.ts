/**
 * Token buckets keyed by a string (a username and address prefix, a prefix,
 * a device id). Sans-IO: the caller passes `now`. Memory is bounded by an LRU
 * of `maxKeys` buckets; a forgotten bucket is a full one, which errs on the
 * side of letting a real user in.
 */
import { LRUCache } from 'lru-cache'

export interface Rate {
  /** Bucket size: attempts allowed in a burst. */
  burst: number
  /** Time for one token to come back, ms. */
  refillMs: number
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number }

interface Bucket {
  tokens: number
  at: number
}

export const DEFAULT_MAX_KEYS = 100_000

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>

  constructor(
    readonly rate: Rate,
    maxKeys = DEFAULT_MAX_KEYS,
  ) {
    this.buckets = new LRUCache({ max: maxKeys })
  }

  take(key: string, now: number): Admission {
    const bucket = this.refill(key, now)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { ok: true }
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * this.rate.refillMs) }
  }

  /** Gives back a token taken for an attempt that turned out not to count (a right password). */
  refund(key: string, now: number): void {
    const bucket = this.refill(key, now)
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + 1)
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.rate.burst, at: now }
      this.buckets.set(key, bucket)
    } else {
      const elapsed = Math.max(0, now - bucket.at)
      bucket.tokens = Math.min(this.rate.burst, bucket.tokens + elapsed / this.rate.refillMs)
      bucket.at = Math.max(bucket.at, now)
    }
    return bucket
  }
}

export class RateFormatError extends Error {
  override name = 'RateFormatError'
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 }

/** Parses "10/5m": a burst of 10, refilled evenly over 5 minutes. */
export function parseRate(text: string): Rate {
  const m = /^(\d+)\/(\d*)(s|m|h)$/.exec(text.trim())
  if (m === null || Number(m[1]) < 1)
    throw new RateFormatError(`"${text}" is not a rate like 10/5m (count/duration, s m or h)`)
  const burst = Number(m[1])
  const span = Number(m[2] === '' ? 1 : m[2]) * (UNIT_MS[m[3] ?? 's'] ?? 1000)
  return { burst, refillMs: span / burst }
}
