import { checkBackoffPolicy, type BackoffPolicy } from '../util/backoff.js'
import { InvalidOptionError } from '../util/errors.js'
import type { HostCache } from './host-cache.js'
import type { HintLedgerInit } from './hints.js'

export interface AttacherInit {
  cache: HostCache
  /** Attachments to keep. Default 2. */
  target?: number
  /** Dials in flight at once. Default 2. */
  maxParallelDials?: number
  /** Uniform in [0, 1). */
  random: () => number
  /** A dial with no answer by then has failed. Default 5000. */
  dialTimeoutMs?: number
  /** The gate while the device has no attachment. Default base 1 s, cap 60 s. */
  pace?: BackoffPolicy
  /** First gate window while still attached somewhere. Default 30 s. */
  refillSpreadMs?: number
  /**
   * A device used (a lookup, which wants two supernodes to hedge over) within
   * this long refills at the `pace` of a device with no attachment, not over
   * the refill spread. Default 60 s.
   */
  inUseMs?: number
  /**
   * A device in use does not wait out dialTimeoutMs on a dial that has not
   * answered in this long (a frozen host accepts TCP and never answers): it
   * dials another host beside it, within maxParallelDials. Default 1 s.
   */
  slowDialMs?: number
  /** A host that refused us is not dialled again before this, plus jitter. Default 10 min. */
  refusedHoldMs?: number
  /** An attachment counts as good (host failures and streak reset) once it lasted this long. Default 30 s. */
  stableAfterMs?: number
  /** What one answer's hints may do to the cache (hints.ts). */
  hints?: HintLedgerInit
}

export const ATTACHER_DEFAULTS = {
  target: 2,
  maxParallelDials: 2,
  dialTimeoutMs: 5000,
  pace: { baseMs: 1000, capMs: 60_000 },
  refillSpreadMs: 30_000,
  inUseMs: 60_000,
  slowDialMs: 1_000,
  refusedHoldMs: 600_000,
  stableAfterMs: 30_000,
} as const

/** The options with defaults applied and checked; the refill policy derived from pace. */
export function resolveAttacherOptions(opts: AttacherInit) {
  const d = ATTACHER_DEFAULTS
  const pace = checkBackoffPolicy(opts.pace ?? d.pace, 'pace')
  const spread = duration('refillSpreadMs', opts.refillSpreadMs ?? d.refillSpreadMs)
  return {
    target: positiveInt('target', opts.target ?? d.target),
    maxParallelDials: positiveInt('maxParallelDials', opts.maxParallelDials ?? d.maxParallelDials),
    dialTimeoutMs: duration('dialTimeoutMs', opts.dialTimeoutMs ?? d.dialTimeoutMs, 1),
    refusedHoldMs: duration('refusedHoldMs', opts.refusedHoldMs ?? d.refusedHoldMs),
    stableAfterMs: duration('stableAfterMs', opts.stableAfterMs ?? d.stableAfterMs),
    inUseMs: duration('inUseMs', opts.inUseMs ?? d.inUseMs),
    slowDialMs: duration('slowDialMs', opts.slowDialMs ?? d.slowDialMs, 1),
    pace,
    refill: { baseMs: spread, capMs: Math.max(spread, pace.capMs) } satisfies BackoffPolicy,
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidOptionError(`${name} must be a positive integer, got ${value}`)
  return value
}

function duration(name: string, value: number, min = 0): number {
  if (!Number.isFinite(value) || value < min)
    throw new InvalidOptionError(`${name} must be a finite number >= ${min}, got ${value}`)
  return value
}
