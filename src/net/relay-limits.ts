/**
 * Per-peer totals for relayed connections through a supernode (issue 10, M7),
 * sans-IO. Each relayed connection may last 4 h and carry 16 GiB (host.ts),
 * sized for one long call or transfer; without a per-peer total, one peer
 * could open hundreds at once through the same relay, or aim hundreds at one
 * victim. So a new one is refused when its source already has `perPeer`
 * relayed connections through this supernode, or its destination does.
 * (Reservations are one per peer already, and only for attached devices.)
 */
import { InvalidOptionError } from '../util/errors.js'
import { ErrorCode } from '../wire/error-codes.js'

/** Relayed connections one peer may have through a supernode at once, as source and as destination. */
export const DEFAULT_RELAY_PER_PEER = 32

export interface RelayCounts {
  /** Relayed connections the source has open through this relay, not counting the one asked for. */
  fromSource: number
  /** Relayed connections open to the destination through this relay. */
  toDestination: number
}

/** Why a new relayed connection must be refused, or undefined when it may open. */
export function relayRefusal(counts: RelayCounts, perPeer: number): typeof ErrorCode.RelayLimit | undefined {
  return counts.fromSource >= perPeer || counts.toDestination >= perPeer ? ErrorCode.RelayLimit : undefined
}

export function checkRelayPerPeer(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidOptionError(`relay per-peer limit must be an integer >= 1, got ${value}`)
  return value
}
