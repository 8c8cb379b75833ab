/**
 * `/parley/revocations/1.0.0` and `/parley/grants/1.0.0`: a supernode hands
 * the signed revocation list, and the signed supernode grant list, it holds
 * to the devices attached to it, so that devices learn of revocations and
 * withdrawn grants within the minute without polling the authority (whose
 * load must stay flat when a whole network restarts). A device sends the
 * sequence it has; the answer is the list when this one is newer, else empty.
 * Both protocols use the same two messages.
 *
 * Only attached devices and members may ask, each a few times a minute
 * (list-gate.ts).
 */
import type { Connection } from '@libp2p/interface'
import type { Refusals } from '../log/refusals.js'
import { plain } from '../wire/bytes.js'
import { decodeRevocationsRequest, RevocationsResponse } from '../wire/revocations.js'
import { ListGate } from './list-gate.js'

/** A held list's bytes when it is newer than `sequence`, else empty bytes: "nothing newer". */
export function newerThan(
  held: { sequence: number; bytes: Uint8Array } | undefined,
  sequence: number,
): Uint8Array<ArrayBuffer> {
  return held !== undefined && held.sequence > sequence ? plain(held.bytes) : new Uint8Array()
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
  private readonly gate: ListGate

  constructor(private readonly init: RevocationServiceInit) {
    this.gate = new ListGate({ ...init, kind: init.kind ?? 'revocations' })
  }

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    return this.answer(payload, connection.remotePeer.toString())
  }

  /** Throws (ending the stream, counted and logged once) for a peer that may not ask or asks too often. */
  answer(payload: Uint8Array, from: string): Uint8Array {
    this.gate.admit(from)
    const { sequence } = decodeRevocationsRequest(payload)
    return RevocationsResponse.encode({ list: newerThan(this.init.list(), sequence) })
  }
}
