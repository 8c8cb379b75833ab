import { checkBackoffPolicy, fullJitter, type BackoffPolicy } from '../util/backoff.js'
import { InvalidOptionError } from '../util/errors.js'
import { Limits, OverlayLimits } from '../wire/limits.js'
import { compareLoad, comparePeerIds } from './rank.js'

/**
 * The device's persisted list of supernodes it may attach to (rule 3: a
 * restarting device finds the network from its own disk, not from the
 * authority). Sans-IO: callers pass `now` and random numbers.
 */

/** What is known of a supernode: from the network config (seeds), announcements or busy answers. */
export interface HostHint {
  peerId: string
  addrs: string[]
  /** Devices attached there when last heard of. */
  load: number
  capacity: number
  /** A mega-supernode: an operator's server and seed, never evicted. */
  mega: boolean
  /**
   * The incarnation of the signed announcement this came from, when it came
   * from one (hints.ts): an older announcement replayed later cannot undo a
   * newer one.
   */
  incarnation?: number
}

export interface HostEntry extends HostHint {
  /** When this host was last heard of or attached to, ms. */
  lastSeen: number
  /** Failed dials, busy answers and refusals since the last good attachment. */
  failures: number
  /** Not to be dialled before this time, ms; 0 when not backing off. */
  retryAt: number
}

/** What `learn` did with a hint. */
export type LearnOutcome = 'added' | 'updated' | 'stale' | 'full' | 'malformed'

export interface HostCacheInit {
  /** Default 200. Mega-supernodes are kept beyond it. */
  maxEntries?: number
  /** Per-host retry backoff. Default base 1 s, cap 60 s. */
  backoff?: BackoffPolicy
}

export const HOST_CACHE_DEFAULTS = {
  maxEntries: 200,
  backoff: { baseMs: 1000, capMs: 60_000 },
} as const

/** Past this the backoff window stopped growing long ago; keeps the counter small in the JSON. */
const MAX_FAILURES = 1000

export class HostCache {
  readonly maxEntries: number
  readonly backoff: BackoffPolicy
  private readonly hosts = new Map<string, HostEntry>()

  /** `entries` usually comes from JSON on disk: anything malformed in it is skipped, never thrown. */
  constructor(opts: HostCacheInit = {}, entries: readonly HostEntry[] = []) {
    this.maxEntries = opts.maxEntries ?? HOST_CACHE_DEFAULTS.maxEntries
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new InvalidOptionError(`maxEntries must be a positive integer, got ${this.maxEntries}`)
    }
    this.backoff = checkBackoffPolicy(opts.backoff ?? HOST_CACHE_DEFAULTS.backoff, 'host cache backoff')
    for (const raw of Array.isArray(entries) ? (entries as unknown[]) : []) {
      const entry = cleanEntry(raw)
      if (entry === undefined) continue
      const known = this.hosts.get(entry.peerId)
      if (known === undefined || known.lastSeen <= entry.lastSeen) this.hosts.set(entry.peerId, entry)
    }
    this.evict()
  }

  get size(): number {
    return this.hosts.size
  }

  get(peerId: string): HostEntry | undefined {
    const entry = this.hosts.get(peerId)
    return entry === undefined ? undefined : copy(entry)
  }

  /**
   * New information about a host: replaces its address, load and mega flag,
   * keeps its failures and retryAt (fresh news that a host exists is no proof
   * it answers). Returns false when the hint is malformed and was ignored.
   */
  upsert(hint: HostHint, now: number): boolean {
    const clean = cleanHint(hint)
    if (clean === undefined) return false
    const known = this.hosts.get(clean.peerId)
    const incarnation = clean.incarnation ?? known?.incarnation
    this.hosts.set(clean.peerId, {
      ...clean,
      lastSeen: now,
      failures: known?.failures ?? 0,
      retryAt: known?.retryAt ?? 0,
      ...(incarnation === undefined ? {} : { incarnation }),
    })
    if (known === undefined) this.evict()
    return this.hosts.has(clean.peerId)
  }

  /**
   * failures++, retryAt = now + minDelayMs + fullJitter(failures - 1). A
   * longer hold already in place (a refusal) is kept. `minDelayMs` (optional,
   * default 0) is for answers that call for a long wait whatever the jitter.
   */
  markFailed(peerId: string, now: number, random: number, minDelayMs = 0): void {
    const entry = this.hosts.get(peerId)
    if (entry === undefined) return
    entry.failures = Math.min(entry.failures + 1, MAX_FAILURES)
    const floor = Number.isFinite(minDelayMs) && minDelayMs > 0 ? minDelayMs : 0
    const at = now + floor + fullJitter(entry.failures - 1, this.backoff, random)
    entry.retryAt = Math.max(entry.retryAt, at)
  }

  markOk(peerId: string, now: number): void {
    const entry = this.hosts.get(peerId)
    if (entry === undefined) return
    entry.failures = 0
    entry.retryAt = 0
    entry.lastSeen = now
  }

  /**
   * A hint from another node (verified by the adapter, bounded per answer by
   * hints.ts). Unlike upsert it never takes anything away from what the
   * device knew: a known host keeps its mega flag, failures and backoff, and
   * an older announcement than the one held is ignored; a new host is never
   * a mega, and finds room only below `maxEntries` or in the place of the
   * stalest ordinary host that is failing. A host that works, and every
   * mega, stays.
   */
  learn(hint: HostHint, now: number): LearnOutcome {
    const clean = cleanHint(hint)
    if (clean === undefined) return 'malformed'
    const known = this.hosts.get(clean.peerId)
    if (known !== undefined) {
      if (clean.incarnation !== undefined && (known.incarnation ?? -1) > clean.incarnation) return 'stale'
      const incarnation = clean.incarnation ?? known.incarnation
      this.hosts.set(clean.peerId, {
        ...known,
        addrs: clean.addrs,
        load: clean.load,
        capacity: clean.capacity,
        lastSeen: Math.max(known.lastSeen, now),
        ...(incarnation === undefined ? {} : { incarnation }),
      })
      return 'updated'
    }
    if (this.hosts.size >= this.maxEntries) {
      let victim: HostEntry | undefined
      for (const entry of this.hosts.values()) {
        if (entry.mega || entry.failures === 0) continue
        if (victim === undefined || staler(entry, victim)) victim = entry
      }
      if (victim === undefined) return 'full'
      this.hosts.delete(victim.peerId)
    }
    this.hosts.set(clean.peerId, { ...clean, mega: false, lastSeen: now, failures: 0, retryAt: 0 })
    return 'added'
  }

  remove(peerId: string): void {
    this.hosts.delete(peerId)
  }

  /**
   * Hosts that may be dialled now, best first (see rank.ts): ratio, ordinary
   * before mega, then fewer failures, then the most recently heard of.
   */
  candidates(now: number, exclude: ReadonlySet<string>): HostEntry[] {
    const out: HostEntry[] = []
    for (const entry of this.hosts.values()) {
      if (!exclude.has(entry.peerId) && entry.retryAt <= now) out.push(copy(entry))
    }
    return out.sort(compareEntries)
  }

  /**
   * The earliest retryAt among hosts backing off (retryAt > 0, or > `now`
   * when given) that are not excluded: when candidates() is empty, the time
   * to look again. undefined when nothing is backing off.
   */
  nextRetryAt(exclude: ReadonlySet<string>, now?: number): number | undefined {
    let next: number | undefined
    const after = now ?? 0
    for (const entry of this.hosts.values()) {
      if (exclude.has(entry.peerId) || entry.retryAt <= after) continue
      if (next === undefined || entry.retryAt < next) next = entry.retryAt
    }
    return next
  }

  /** A copy of every entry, for JSON persistence; never more than maxEntries plus the megas. */
  entries(): HostEntry[] {
    return [...this.hosts.values()].map(copy)
  }

  /**
   * Drops the stalest ordinary hosts until the cache fits. Megas stay: they
   * are the seeds a device falls back on when everything else it knew is gone.
   */
  private evict(): void {
    while (this.hosts.size > this.maxEntries) {
      let victim: HostEntry | undefined
      for (const entry of this.hosts.values()) {
        if (!entry.mega && (victim === undefined || staler(entry, victim))) victim = entry
      }
      if (victim === undefined) return
      this.hosts.delete(victim.peerId)
    }
  }
}

function compareEntries(a: HostEntry, b: HostEntry): number {
  return (
    compareLoad(a, b) ||
    a.failures - b.failures ||
    b.lastSeen - a.lastSeen ||
    comparePeerIds(a.peerId, b.peerId)
  )
}

/** Staler: heard of longer ago; at equal age, the one failing more. */
function staler(a: HostEntry, b: HostEntry): boolean {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen < b.lastSeen
  if (a.failures !== b.failures) return a.failures > b.failures
  return a.peerId > b.peerId
}

function copy(entry: HostEntry): HostEntry {
  return { ...entry, addrs: [...entry.addrs] }
}

/**
 * A hint as it should be, or undefined. Hints arrive from other nodes and
 * from disk, so shapes and sizes are checked here (rule 1), with the wire caps.
 */
export function cleanHint(raw: unknown): HostHint | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const h = raw as Record<string, unknown>
  const { peerId, addrs, load, capacity } = h
  if (typeof peerId !== 'string' || peerId.length === 0 || peerId.length > OverlayLimits.peerIdChars) {
    return undefined
  }
  if (!Array.isArray(addrs) || !isCount(load) || !isCount(capacity)) return undefined
  const goodAddrs = (addrs as unknown[])
    .filter((a): a is string => typeof a === 'string' && a.length > 0 && a.length <= Limits.multiaddrChars)
    .slice(0, OverlayLimits.addrs)
  const { incarnation } = h
  const clean: HostHint = { peerId, addrs: goodAddrs, load, capacity, mega: h.mega === true }
  if (Number.isSafeInteger(incarnation) && (incarnation as number) >= 0)
    clean.incarnation = incarnation as number
  return clean
}

function cleanEntry(raw: unknown): HostEntry | undefined {
  const hint = cleanHint(raw)
  if (hint === undefined) return undefined
  const { lastSeen, failures, retryAt } = raw as Record<string, unknown>
  if (!isFiniteNumber(lastSeen) || !isCount(retryAt) || !isCount(failures) || !Number.isInteger(failures)) {
    return undefined
  }
  return { ...hint, lastSeen, failures: Math.min(failures, MAX_FAILURES), retryAt }
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x)
}

function isCount(x: unknown): x is number {
  return isFiniteNumber(x) && x >= 0
}
