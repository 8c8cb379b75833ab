/**
 * Where a username's presence records live: weighted rendezvous (highest
 * random weight) hashing over the live supernodes. Every supernode computes
 * the same answer from the same membership, with no coordination, and a
 * membership change moves only the keys that involve the changed node.
 *
 * score(key, node) = -weight / ln(u), u ∈ (0,1) from SHA-256(key ‖ 0x00 ‖ place)
 *
 * is the "logarithmic method" of Schindelhauer and Schomaker: a node wins a
 * key with probability weight / Σ weight, so a mega-supernode of weight 4
 * holds about four times the records of a weight-1 supernode.
 *
 * A node's place is the bytes it is hashed as: its seat place when the
 * network places by seats (directory/seats.ts: drawn by the authority, so nobody can
 * grind one), else the UTF-8 of its peer id.
 */
import { sha256 } from '@noble/hashes/sha2.js'

export interface Placed {
  peerId: string
  /** > 0; mega-supernodes e.g. 4, others 1. Nodes with any other weight are never chosen. */
  weight: number
  /** Where on the ring: the bytes hashed beside the key (directory/seats.ts). Absent: the UTF-8 of peerId. */
  place?: Uint8Array
}

/** R: how many supernodes hold each username's records. */
export const REPLICATION_FACTOR = 3

export interface PlacementOptions {
  /**
   * Remembered answers (per key, LRU). Hashing costs about 2 µs per node, so
   * with hundreds of supernodes a lookup-serving supernode wants a cache;
   * a Placement is immutable, so its answers never go stale. Default 0.
   */
  cacheSize?: number
}

interface Node {
  peerId: string
  weight: number
  bytes: Uint8Array
}

/** A Placed's ring position as text: one membership key covers the peer, its weight and its place. */
export function placedKey(n: Placed): string {
  return `${n.peerId}\u0000${n.weight}\u0000${n.place === undefined ? '' : Buffer.from(n.place).toString('hex')}`
}

/**
 * True when two memberships place every key alike (the same peers, weights and places, in any
 * order). Hashing every held key against both is the cost of a repair: skip it when nothing moved.
 */
export function samePlacement(a: readonly Placed[], b: readonly Placed[]): boolean {
  const key = (nodes: readonly Placed[]): string => nodes.map(placedKey).sort().join('\u0001')
  return key(a) === key(b)
}

const encoder = new TextEncoder()
const TWO_POW_21 = 2 ** 21
const TWO_POW_52 = 2 ** 52
const TWO_POW_53 = 2 ** 53

/**
 * One membership, prepared for many keys: places encoded once, duplicates
 * merged. Build a new one when membership changes.
 */
export class Placement {
  private readonly nodes: readonly Node[]
  private readonly longestPlace: number
  private readonly cache = new Map<string, string[]>()
  private readonly cacheSize: number

  constructor(nodes: readonly Placed[], opts: PlacementOptions = {}) {
    // A peer listed twice counts once: its largest weight, and of equal weights the smallest place
    // (by placedKey), so the answer does not depend on input order.
    const merged = new Map<string, Placed>()
    for (const node of nodes) {
      if (!(Number.isFinite(node.weight) && node.weight > 0)) continue
      const held = merged.get(node.peerId)
      if (
        held === undefined ||
        node.weight > held.weight ||
        (node.weight === held.weight && placedKey(node) < placedKey(held))
      )
        merged.set(node.peerId, node)
    }
    this.nodes = [...merged.values()].map(({ peerId, weight, place }) => ({
      peerId,
      weight,
      bytes: place === undefined ? encoder.encode(peerId) : new Uint8Array(place),
    }))
    this.longestPlace = this.nodes.reduce((m, n) => Math.max(m, n.bytes.length), 0)
    this.cacheSize = Math.max(0, opts.cacheSize ?? 0)
  }

  /** How many distinct nodes can be chosen. */
  get size(): number {
    return this.nodes.length
  }

  /** The r best nodes for key, best first (all of them when r ≥ size). */
  replicasFor(key: string, r: number): string[] {
    const want = Math.min(Math.floor(r), this.nodes.length)
    if (!(want > 0)) return []
    const cached = this.cache.get(key)
    if (cached !== undefined && cached.length >= want) {
      // Refresh its place in the LRU order.
      this.cache.delete(key)
      this.cache.set(key, cached)
      return cached.slice(0, want)
    }
    const best = this.rank(key, want)
    this.remember(key, best)
    return best.slice()
  }

  private rank(key: string, want: number): string[] {
    const keyBytes = encoder.encode(key)
    // key ‖ 0x00 ‖ place, rebuilt in one buffer per node instead of allocating one each.
    const input = new Uint8Array(keyBytes.length + 1 + this.longestPlace)
    input.set(keyBytes, 0)
    const offset = keyBytes.length + 1
    // The `want` best so far, best first: insertion keeps this O(n·r) with r = 3.
    const top: Array<{ peerId: string; score: number }> = []
    for (const node of this.nodes) {
      input.set(node.bytes, offset)
      const score = -node.weight / lnU(sha256(input.subarray(0, offset + node.bytes.length)))
      if (top.length === want && !beats(score, node.peerId, top[want - 1]!)) continue
      let i = Math.min(top.length, want - 1)
      while (i > 0 && beats(score, node.peerId, top[i - 1]!)) i--
      top.splice(i, 0, { peerId: node.peerId, score })
      if (top.length > want) top.pop()
    }
    return top.map((t) => t.peerId)
  }

  private remember(key: string, best: string[]): void {
    if (this.cacheSize === 0) return
    this.cache.delete(key)
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
    this.cache.set(key, best)
  }
}

/** Weighted rendezvous (HRW) hashing: the r best nodes for key, best first. Deterministic, independent of input order. */
export function replicasFor(key: string, nodes: readonly Placed[], r: number): string[] {
  return new Placement(nodes).replicasFor(key, r)
}

/** Higher score wins; an exact tie (astronomically rare) goes to the smaller peer id, so all nodes agree. */
function beats(score: number, peerId: string, other: { peerId: string; score: number }): boolean {
  return score > other.score || (score === other.score && peerId < other.peerId)
}

/**
 * ln(u) for u = (h + 0.5) / 2^53, h the first 53 bits of the digest (big
 * endian): the midpoint of one of 2^53 equal slices of (0,1), so never 0 or 1.
 * Computed naively, (h + 0.5) rounds to 2^53 for the top h and gives u = 1,
 * a zero logarithm and a score of -Infinity; so the upper half is computed as
 * ln(1 - x) with log1p, where x is as exact as u is in the lower half.
 */
export function lnU(digest: Uint8Array): number {
  const hi = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0
  const lo = (digest[4]! << 13) | (digest[5]! << 5) | (digest[6]! >>> 3)
  const h = hi * TWO_POW_21 + lo
  if (h < TWO_POW_52) return Math.log((h + 0.5) / TWO_POW_53)
  return Math.log1p(-(TWO_POW_53 - 1 - h + 0.5) / TWO_POW_53)
}
