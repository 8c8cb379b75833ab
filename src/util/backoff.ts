import { InvalidOptionError } from './errors.js'

/**
 * Exponential backoff with "full jitter" (Marc Brooker, "Exponential Backoff
 * And Jitter", AWS Architecture Blog, 2015):
 *
 *     sleep = random_between(0, min(cap, base * 2 ** attempt))
 *
 * Why full jitter and not plain exponential backoff: clients that failed
 * together retry together, and a synchronised herd of retries is exactly the
 * restart storm of December 2010. Drawing the whole delay at random spreads
 * the herd evenly over the window, and the window doubles while failures go on.
 */
export interface BackoffPolicy {
  /** The window of attempt 0, ms. */
  baseMs: number
  /** The largest window, ms. */
  capMs: number
}

/** 2^62 times any sane base is past any cap; stopping there keeps the product finite. */
const MAX_EXPONENT = 62

/**
 * A delay in whole ms, uniform in [0, min(cap, base·2^attempt)); 0 when that
 * window is empty. `attempt` starts at 0; `random` is in [0, 1).
 * Never throws and never returns NaN, whatever the arguments: a retry timer
 * computed from garbage must still be a number.
 */
export function fullJitter(attempt: number, policy: BackoffPolicy, random: number): number {
  const window = backoffWindow(attempt, policy)
  if (window <= 0) return 0
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0
  const delay = Math.floor(r * window)
  // r·window can round up to window itself (r = 1 - 2^-53, or r = 1 from a sloppy source).
  return delay < window ? delay : Math.max(0, Math.ceil(window) - 1)
}

/** The upper end of the jitter window for `attempt`: min(cap, base·2^attempt). */
export function backoffWindow(attempt: number, policy: BackoffPolicy): number {
  const base = finiteNonNegative(policy.baseMs)
  const cap = finiteNonNegative(policy.capMs)
  const n = Number.isFinite(attempt) ? Math.min(Math.max(Math.floor(attempt), 0), MAX_EXPONENT) : 0
  return Math.min(cap, base * 2 ** n)
}

/** Throws InvalidOptionError unless 0 <= baseMs <= capMs, both finite. */
export function checkBackoffPolicy(policy: BackoffPolicy, name = 'backoff'): BackoffPolicy {
  const { baseMs, capMs } = policy
  if (!Number.isFinite(baseMs) || !Number.isFinite(capMs) || baseMs < 0 || capMs < baseMs) {
    throw new InvalidOptionError(`${name}: need 0 <= baseMs <= capMs, got baseMs ${baseMs}, capMs ${capMs}`)
  }
  return { baseMs, capMs }
}

function finiteNonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0
}
