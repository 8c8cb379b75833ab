/**
 * `/parley/lists/1.0.0`: both signed lists a device polls its supernodes for
 * (revocations and supernode grants) in one exchange, where the two older
 * protocols (revocation-service.ts, still served for older devices) take a
 * stream each. An idle network's upkeep is mostly libp2p's per-stream work,
 * and these polls were a large share of its streams (docs/supernodes.md,
 * "Idle upkeep").
 *
 * The same gate as the older protocols (list-gate.ts): attached devices and
 * members may ask, and a revoked device may ask for the revocation list (that
 * is how it learns it was signed out), not for the grants; six times a minute each.
 */
import type { Connection } from '@libp2p/interface'
import type { Refusals } from '../log/refusals.js'
import { decodeSignedListsRequest, SignedListsResponse } from '../wire/signed-lists.js'
import { ListGate } from './list-gate.js'
import { newerThan } from './revocation-service.js'

type Held = () => { sequence: number; bytes: Uint8Array } | undefined

export interface SignedListsServiceInit {
  revocations: Held
  grants: Held
  /** Attached here, a member of the mesh, or revoked. */
  mayAskRevocations: (peerId: string) => boolean
  /** Attached here, or a member of the mesh. */
  mayAskGrants: (peerId: string) => boolean
  refusals: Refusals
  now?: () => number
}

export class SignedListsService {
  private readonly gate: ListGate

  constructor(private readonly init: SignedListsServiceInit) {
    this.gate = new ListGate({
      kind: 'lists',
      mayAsk: init.mayAskRevocations,
      refusals: init.refusals,
      now: init.now,
    })
  }

  handle(payload: Uint8Array, connection: Connection): Uint8Array {
    return this.answer(payload, connection.remotePeer.toString())
  }

  /** Throws (ending the stream, counted and logged once) for a peer that may not ask or asks too often. */
  answer(payload: Uint8Array, from: string): Uint8Array {
    this.gate.admit(from)
    const asked = decodeSignedListsRequest(payload)
    return SignedListsResponse.encode({
      revocations: newerThan(this.init.revocations(), asked.revocationsSequence),
      grants: this.init.mayAskGrants(from)
        ? newerThan(this.init.grants(), asked.grantsSequence)
        : new Uint8Array(),
    })
  }
}
