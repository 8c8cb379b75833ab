/**
 * Who may ask a supernode for a signed list, and how often: the one gate of
 * the list protocols (revocation-service.ts, signed-lists-service.ts). A list
 * can reach megabytes, and nobody may use a supernode to send it over and
 * over: only the peers `mayAsk` admits (attached devices, members, and for
 * the revocation list revoked devices), six times a minute each. A refusal
 * throws with a stable code (ending that stream only), counted and logged once.
 */
import { RateLimiter, type Rate } from '../authority/rate-limit.js'
import type { Refusals } from '../log/refusals.js'
import { ErrorCode } from '../wire/error-codes.js'

/** Six a minute per peer: devices ask every 20 s. */
export const LIST_RATE: Rate = { burst: 6, refillMs: 10_000 }

export class ListRefusedError extends Error {
  override name = 'ListRefusedError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ListGateInit {
  /** The protocol's name in refusal logs. */
  kind: string
  mayAsk: (peerId: string) => boolean
  refusals: Refusals
  now?: () => number
}

export class ListGate {
  private readonly rate = new RateLimiter(LIST_RATE, 65_536)

  constructor(private readonly init: ListGateInit) {}

  /** Returns when `from` may be answered now; throws ListRefusedError otherwise. */
  admit(from: string): void {
    if (!this.init.mayAsk(from)) this.refuse(ErrorCode.Unauthorized, from, 'attach first')
    if (!this.rate.take(from, (this.init.now ?? Date.now)()).ok)
      this.refuse(ErrorCode.PeerRateLimited, from, 'ask at most six times a minute')
  }

  private refuse(code: string, from: string, detail: string): never {
    this.init.refusals.refuse(this.init.kind, code, from, detail)
    throw new ListRefusedError(code, detail)
  }
}
