/**
 * How supernodes are ranked, in one place, so a device choosing where to
 * attach and a full supernode choosing whom to recommend agree.
 *
 * Order: lowest load/capacity ratio first, which evens out utilisation
 * whatever each host's size. At equal ratio an ordinary supernode comes before a mega one:
 * mega-supernodes are the operators' servers, the seeds and the always-there
 * fallback, and the network should carry itself on its own supernodes when it
 * can. A fresh mega-supernode (load 0) still comes first in an outage, which
 * is how December 2010 was ended.
 */
export interface Rankable {
  peerId: string
  load: number
  capacity: number
  mega: boolean
}

/** load/capacity; Infinity for a host with no capacity or a nonsensical load (sorts last). */
export function loadRatio(host: { load: number; capacity: number }): number {
  const { load, capacity } = host
  if (!(capacity > 0) || !Number.isFinite(capacity) || !(load >= 0) || !Number.isFinite(load)) {
    return Number.POSITIVE_INFINITY
  }
  return load / capacity
}

/** True when the host reported room for one more device. */
export function hasRoom(host: { load: number; capacity: number }): boolean {
  return loadRatio(host) < 1
}

/** Ratio, then ordinary before mega; 0 when the two are alike on both. */
export function compareLoad(a: Rankable, b: Rankable): number {
  const byRatio = loadRatio(a) - loadRatio(b)
  if (byRatio !== 0 && !Number.isNaN(byRatio)) return byRatio < 0 ? -1 : 1
  if (a.mega !== b.mega) return a.mega ? 1 : -1
  return 0
}

/** Best first: compareLoad, then peer id so that every node breaks ties alike. */
export function compareHosts(a: Rankable, b: Rankable): number {
  return compareLoad(a, b) || comparePeerIds(a.peerId, b.peerId)
}

export function comparePeerIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * One of `hosts` (best first) at random, weighted by headroom (1 − load/capacity);
 * uniform when none reports room. Why not simply the best: load figures in a
 * host cache are old, and a thousand devices with the same cache would all
 * pick the same "best" host, fill it in a second and bounce off it together
 * (a herd, and the busy answers that follow). Drawing in proportion to
 * headroom spreads the herd over every host with room.
 * Why the fraction and not the free places: a capacity is whatever a host
 * (or a placeholder for a seed not yet heard from) claims, and a claim of
 * a million would otherwise take every device; a fraction weighs at most 1.
 * `r` in [0, 1); r = 0 picks the first host with room.
 */
export function pickByHeadroom<T extends Rankable>(hosts: readonly T[], r: number): T | undefined {
  const u = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0
  let total = 0
  for (const h of hosts) total += headroom(h)
  if (total <= 0) return hosts[Math.min(hosts.length - 1, Math.floor(u * hosts.length))]
  let x = u * total
  let last: T | undefined
  for (const h of hosts) {
    const w = headroom(h)
    if (w <= 0) continue
    if (x < w) return h
    x -= w
    last = h
  }
  return last // u·total rounded up to total
}

function headroom(host: { load: number; capacity: number }): number {
  return Math.max(0, 1 - loadRatio(host))
}
