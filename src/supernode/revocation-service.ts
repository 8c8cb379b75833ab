/**
 * `/parley/revocations/1.0.0` and `/parley/grants/1.0.0`: a supernode hands
 * the signed revocation list, and the signed supernode grant list, it holds
 * to the devices attached to it, so that devices learn of revocations and
 * withdrawn grants within the minute without polling the authority (whose
 * load must stay flat when a whole network restarts). A device sends the
 * sequence it has; the answer is the list when this one is newer, else empty.
 * Both protocols use the same two messages.
 *
 * Only attached devices and members may ask, each a few times a minute: the
 * list can reach megabytes, and nobody may use this supernode to send them
 * over and over.
 */
import type { Connection } from '@libp2p/interface'
import { RateLimiter, type Rate } from '../authority/rate-limit.js'
import type { Refusals } from '../log/refusals.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodeRevocationsRequest, RevocationsResponse } from '../wire/revocations.js'

/** Six a minute per peer: devices ask every 20 s. */
export const REVOCATIONS_RATE: Rate = { burst: 6, refillMs: 10_000 }

/** A held list's bytes when it is newer than `sequence`, else empty bytes: "nothing newer". */
export function newerThan(
  held: { sequence: number; bytes: Uint8Array } | undefined,
  sequence: number,
): Uint8Array<ArrayBuffer> {
  return held !== undefined && held.sequence > sequence ? plain(held.bytes) : new Uint8Array()
}

export class RevocationRefusedError extends Error {
  override name = 'RevocationRefusedError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface RevocationServiceInit {
  /** The protocol's name in refusal logs: 'revocations' or 'grants'. */
  kind?: string
  list: () => { sequence: number; bytes: Uint8Array } | undefined
  /** Attached here, or a member of the mesh. */
  mayAsk: (peerId: string) => boolean
  refusals: Refusals
  now?: () => number
}

export class RevocationService {
  private readonly rate = new RateLimiter(REVOCATIONS_RATE, 65_536)

  constructor(private readonly init: RevocationServiceInit) {}

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    return this.answer(payload, connection.remotePeer.toString())
  }

  /** Throws (ending the stream, counted and logged once) for a peer that may not ask or asks too often. */
  answer(payload: Uint8Array, from: string): Uint8Array {
    if (!this.init.mayAsk(from)) return this.refuse(ErrorCode.Unauthorized, from, 'attach first')
    if (!this.rate.take(from, (this.init.now ?? Date.now)()).ok)
      return this.refuse(ErrorCode.PeerRateLimited, from, 'ask at most six times a minute')
    const { sequence } = decodeRevocationsRequest(payload)
    return RevocationsResponse.encode({ list: newerThan(this.init.list(), sequence) })
  }

  private refuse(code: string, from: string, detail: string): never {
    this.init.refusals.refuse(this.init.kind ?? 'revocations', code, from, detail)
    throw new RevocationRefusedError(code, detail)
  }
}
