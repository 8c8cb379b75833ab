import { DEFAULTS } from './constants.js'
import type { MembershipMessage } from './types.js'

/**
 * The one place message sizes are estimated, for the simulator's byte counts
 * and for the upkeep formula in docs/membership.md. Estimates, not the
 * protobuf encoding: a peer id is ~52 characters, so an update is ~60 bytes;
 * a signed announcement (with its certificate) ~400 more.
 */
export const WIRE_SIZES = {
  /** kind, seq, target, stream framing. */
  header: 40,
  /** peer id, incarnation, state. */
  update: 60,
  /** the signed announcement when an update carries it. */
  announcement: 400,
} as const

export function messageBytes(msg: MembershipMessage): number {
  let bytes = WIRE_SIZES.header
  for (const u of msg.updates)
    bytes += WIRE_SIZES.update + (u.announcement === undefined ? 0 : WIRE_SIZES.announcement)
  return bytes
}

export interface UpkeepParams {
  /** Supernodes. */
  n: number
  /** Joins plus leaves per second, network-wide (half each: a steady state). Leaves are crashes. */
  churnPerSec: number
  probeIntervalMs?: number
  suspicionTimeoutMs?: number
  /** 0 or Infinity: no periodic sync. */
  syncIntervalMs?: number
  syncMaxUpdates?: number
  retransmitMultiplier?: number
  maxPiggyback?: number
  deadRetentionMs?: number
  maxMessageUpdates?: number
  /** What-if: other wire sizes (a compact update, say). */
  sizes?: Partial<Record<keyof typeof WIRE_SIZES, number>>
  /** What-if: gossip carries no announcements; each node pulls each new one once. */
  pullAnnouncements?: boolean
  /** What-if: a periodic sync exchanges a digest of this many bytes instead of the state. */
  syncDigestBytes?: number
}

/** Bytes sent per supernode per second, by cause. */
export interface Upkeep {
  /** Ping and ack headers: constant in N. */
  probes: number
  /** Piggybacked updates, capped by what the messages can carry. */
  gossip: number
  /** What SWIM's λ·log N retransmissions ask for; above `gossip` the news falls behind. */
  gossipDemand: number
  saturated: boolean
  /** What-if pullAnnouncements: fetching each new announcement once. */
  pulls: number
  /** Periodic anti-entropy sync, sent and answered. */
  sync: number
  /** Joiners' full-state sync, spread over N here; in practice borne by the seeds. */
  joins: number
  total: number
}

/**
 * The upkeep model (derivation in docs/membership.md), with T the probe
 * interval, S the suspicion timeout, L = ceil(log2(N+1)), c/2 joins and c/2
 * crashes a second:
 *  probes = 2·H/T                                   one ping sent and one ack sent per period
 *  gossip = (c/2)·λL·(U+A)                          a join: every node sends the news λL times
 *         + (c/2)·(min(λL, 2S/T) + λL)·U            a crash: suspect, cut short by dead, then dead
 *  sync   = 2·(H + E·(U + A·N/(N+D)))/Ts           one sync sent and one answered per interval
 *  joins  = (c/2)·(H·(1+K) + (N+1)·(U+A) + D·U)/N   the joiner's push and the seed's full reply
 *         + (c/2)·A                                 the joiner introduces itself to each member
 *                                                   (unless gossip is saturated: then it takes a gossip slot)
 * with D = (c/2)·retention dead entries remembered, E = min(N + D, syncMaxUpdates,
 * maxMessageUpdates) entries in a sync (one message), K = ceil((N+D+1)/maxMessageUpdates)
 * messages in a full reply.
 * Gossip cannot exceed 2/T messages of at most M updates each.
 */
export function upkeepFormula(p: UpkeepParams): Upkeep {
  const H = p.sizes?.header ?? WIRE_SIZES.header
  const U = p.sizes?.update ?? WIRE_SIZES.update
  const A = p.sizes?.announcement ?? WIRE_SIZES.announcement
  const T = (p.probeIntervalMs ?? DEFAULTS.probeIntervalMs) / 1000
  const S = (p.suspicionTimeoutMs ?? DEFAULTS.suspicionTimeoutMs) / 1000
  const Ts = (p.syncIntervalMs ?? DEFAULTS.syncIntervalMs) / 1000
  const lambda = p.retransmitMultiplier ?? DEFAULTS.retransmitMultiplier
  const M = p.maxPiggyback ?? DEFAULTS.maxPiggyback
  const retention = (p.deadRetentionMs ?? DEFAULTS.deadRetentionMs) / 1000
  const half = p.churnPerSec / 2
  const sends = lambda * Math.ceil(Math.log2(p.n + 1))
  const messagesPerSec = 2 / T

  const probes = messagesPerSec * H
  const joinSends = half * sends
  const crashSends = half * (Math.min(sends, messagesPerSec * S) + sends)
  const gossiped = p.pullAnnouncements === true ? 0 : A
  const gossipDemand = joinSends * (U + gossiped) + crashSends * U
  // Past capacity the queue sends the least-sent news first and the rest waits: cost saturates.
  const capacity = messagesPerSec * M
  const saturated = joinSends + crashSends > capacity
  const gossip = saturated ? (gossipDemand * capacity) / (joinSends + crashSends) : gossipDemand
  const pulls = p.pullAnnouncements === true ? half * (2 * H + U + A) : 0

  const dead = half * retention
  const perMessage = p.maxMessageUpdates ?? DEFAULTS.maxMessageUpdates
  const entries = Math.min(p.n + dead, p.syncMaxUpdates ?? Infinity, perMessage)
  const perSync = p.syncDigestBytes ?? entries * (U + (A * p.n) / (p.n + dead))
  const sync = Ts > 0 && Number.isFinite(Ts) ? (2 * (H + perSync)) / Ts : 0

  const replies = Math.ceil((p.n + dead + 1) / perMessage)
  // Members refuse strangers: the joiner's first message to each of the N carries its announcement.
  // It takes one of the M piggyback slots, so past saturation it is inside the gossip figure.
  const introductions = saturated ? 0 : half * A
  const joins = (half * (H * (1 + replies) + (p.n + 1) * (U + A) + dead * U)) / p.n + introductions
  const total = probes + gossip + pulls + sync + joins
  return { probes, gossip, gossipDemand, saturated, pulls, sync, joins, total }
}
