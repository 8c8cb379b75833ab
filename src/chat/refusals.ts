/**
 * Events this device refuses for good (a poisoned Lamport time, a stale or
 * replayed live event): the rule that says why, and a log that names each
 * (code, sender) once per window with a count of what it left out, so that a
 * flood of hostile events is never a flood of log lines. Pure: `now` is
 * passed in (the adapter at the end reads the wall clock).
 */
import type { Logger } from '../log/logger.js'
import type { VerifiedChatEvent } from '../trust/chat-event.js'
import { ErrorCode } from '../wire/error-codes.js'
import { lamportAcceptable } from './clock.js'
import { fresh, LIVE_KINDS } from './live.js'

export interface Refusal {
  code: ErrorCode
  from: string
  deviceId: string
}

/** Why an event that verified must still not touch the store at `now`, or undefined when it may. */
export function refusalOf(
  e: Pick<VerifiedChatEvent, 'lamport' | 'kind' | 'sentAt'>,
  now: number,
): ErrorCode | undefined {
  if (!lamportAcceptable(e.lamport, now)) return ErrorCode.LamportTooFar
  if (LIVE_KINDS.has(e.kind) && !fresh(e.sentAt, now)) return ErrorCode.StaleEvent
  return undefined
}

const WINDOW_MS = 10 * 60_000
/** Keys remembered at most: beyond it the oldest are forgotten (and may be logged again). */
const KEYS = 1024

export class RefusalLog {
  private readonly keys = new Map<string, { at: number; quiet: number }>()

  constructor(private readonly windowMs = WINDOW_MS) {}

  /**
   * Whether to log this refusal at `now`: the number of the same refusals left
   * out since the last line (0 the first time), or undefined to stay quiet.
   */
  take(r: Refusal, now: number): number | undefined {
    const key = `${r.code} ${r.from}`
    const seen = this.keys.get(key)
    if (seen !== undefined && now - seen.at < this.windowMs) {
      seen.quiet++
      return undefined
    }
    this.keys.delete(key)
    if (this.keys.size >= KEYS) this.keys.delete(this.keys.keys().next().value!)
    this.keys.set(key, { at: now, quiet: 0 })
    return seen?.quiet ?? 0
  }
}

/** The adapter: one warning per (code, sender) per window, read against the wall clock. */
export function refusalLogger(log: Logger, now: () => number = Date.now): (r: Refusal) => void {
  const once = new RefusalLog()
  return (r) => {
    const left = once.take(r, now())
    if (left !== undefined)
      log.warn({ code: r.code, from: r.from, device: r.deviceId, alsoRefused: left }, 'chat event refused')
  }
}
