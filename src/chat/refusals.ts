/**
 * Events this device refuses for good (a poisoned Lamport time, a stale or
 * replayed live event): the rule that says why (pure: `now` is passed in),
 * and the log that names each (code, sender) once, so that a flood of hostile
 * events is never a flood of log lines.
 */
import type { Logger } from '../log/logger.js'
import { Refusals } from '../log/refusals.js'
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

/**
 * The adapter: each (code, sender) logged once, as every role does (src/log/refusals.ts).
 * A device has no metrics registry, so nothing counts them.
 */
export function refusalLogger(log: Logger): (r: Refusal) => void {
  const refusals = new Refusals(log, { inc: () => undefined })
  return (r) => refusals.refuse('chat', r.code, r.from, `device ${r.deviceId}`)
}
