/**
 * When a device renews its certificate: somewhere between half and
 * three-quarters of its lifetime, spread by a per-device random value so a
 * network of devices restarted together does not renew together (rule 3).
 * Pure: the caller passes the time and the random value.
 */
export interface Validity {
  notBefore: number
  notAfter: number
}

/** `random` in [0, 1). */
export function renewalTime(cert: Validity, random: number): number {
  const lifetime = cert.notAfter - cert.notBefore
  return cert.notBefore + Math.floor(lifetime * (0.5 + 0.25 * random))
}

export type RenewalState = 'fresh' | 'renew' | 'expired'

export function renewalState(cert: Validity, now: number, random: number): RenewalState {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in ms, not ${now}`)
  if (now >= cert.notAfter) return 'expired'
  return now >= renewalTime(cert, random) ? 'renew' : 'fresh'
}

export interface RenewalScheduleOptions {
  /** The first retry after a failure waits up to this long (full jitter); it doubles per failure. */
  baseBackoffMs?: number
  /** Retries never wait longer than this. */
  maxBackoffMs?: number
}

/**
 * When a running node next tries to renew its certificate: at the
 * certificate's renewal time (the same jittered time the CLI uses), then,
 * while attempts fail, again after an exponential backoff with full jitter,
 * so an authority that is down or refusing is not stormed by every device at
 * once (rule 3). Backoff is scaled to the certificate's lifetime, so a short
 * certificate still gets several attempts before it expires.
 * Sans-IO: the caller passes the time and the random values in.
 */
export class RenewalSchedule {
  private at: number
  private failed = 0
  private readonly baseMs: number
  private readonly maxMs: number

  constructor(cert: Validity, jitter: number, now: number, opts: RenewalScheduleOptions = {}) {
    const lifetime = Math.max(1, cert.notAfter - cert.notBefore)
    this.baseMs = opts.baseBackoffMs ?? Math.max(100, Math.min(10_000, Math.floor(lifetime / 100)))
    this.maxMs = opts.maxBackoffMs ?? Math.max(this.baseMs, Math.min(30 * 60_000, Math.floor(lifetime / 10)))
    this.at = Math.max(renewalTime(cert, jitter), now)
  }

  /** When the next attempt is due (ms since the epoch); may be now or past. */
  pollTimeout(): number {
    return this.at
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.failed
  }

  /**
   * An attempt gave this certificate (renewed, or still fresh). Never due
   * sooner than one base backoff from now: a certificate whose renewal time
   * has already passed (a skewed clock, a tiny lifetime) must not spin.
   */
  handleRenewed(cert: Validity, jitter: number, now: number): void {
    this.failed = 0
    this.at = Math.max(renewalTime(cert, jitter), now + this.baseMs)
  }

  /** An attempt failed; `random` in [0, 1) picks the wait within the backoff window. */
  handleFailure(now: number, random: number): void {
    if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1), not ${random}`)
    this.failed++
    const window = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failed - 1, 30))
    this.at = now + Math.max(this.baseMs / 2, Math.floor(window * random))
  }
}
