/**
 * The chat service's memory of directory lookups: who is online, asked
 * again after 3 s. "No device online" is never kept (the next event looks
 * again), an event from a device the cached answer does not list drops that
 * answer, and the last non-empty answer is kept a minute for call signals,
 * which go at once to those devices while a fresh lookup runs. A device a
 * call signal came from counts as listed for a minute too: the callee's
 * answer goes straight back to the device that rang, whether or not a lookup
 * of the caller was made or answered. The memories are LRU caches bounded in
 * size, on an injected clock.
 *
 * An answer between 3 and 5 s old is still given once its user is asked
 * for again, while the fresh lookup runs beside it (issue 12 §2): a busy
 * conversation's outbox round waited for that lookup every 3 s (10-60 ms,
 * for each of the two users a message is queued for), and the messages sent
 * meanwhile were the paced bench's p99. A push to a device that has gone
 * still fails and drops the answer (`stale`); past 5 s a caller waits.
 *
 * A device that came online since the answer was asked is missing from it,
 * so the outbox asks for `confirm`ation before it seals events for a known
 * device the answer did not list (sealed, it would get them only at its next
 * offline fetch, up to a minute later): an answer under a second old, or a
 * fresh lookup, shared with the refresh already running.
 */
import { LRUCache } from 'lru-cache'
import type { Presence } from '../trust/presence.js'

/** What a call signal needs to reach a device: a listed device's presence, or one that just spoke to us. */
export type Listed = Pick<Presence, 'username' | 'deviceId' | 'addrs'>

/** An answer is used until it is older than this. */
export const LOOKUP_CACHE_MS = 3_000
/** Up to this age an answer is still given while the fresh lookup it started runs. */
export const LOOKUP_STALE_MS = 5_000
/** Call signals go at once to the devices a lookup listed this recently (and a fresh lookup runs). */
export const RECENTLY_LISTED_MS = 60_000
/** `confirm` takes an answer asked at most this long ago. */
export const CONFIRM_MS = 1_000
/** Users remembered at most in each memory; the least recently used go first. */
export const LOOKUP_CACHE_MAX = 10_000

interface Entry {
  devices: Promise<Presence[]>
  ids: Set<string> | undefined
  /** When the lookup was asked. */
  at: number
  /** The fresh lookup running beside this answer, if one is. */
  refresh: Entry | undefined
}

export interface DeviceLookupsOptions {
  /** Milliseconds; the wall clock or performance in the service, virtual time in tests. */
  clock?: { now(): number }
  max?: number
}

export class DeviceLookups {
  private readonly cache: LRUCache<string, Entry>
  /** The last non-empty answer per user. */
  private readonly listed: LRUCache<string, Presence[]>
  /** Per user, the devices a call signal came from, and when. */
  private readonly signalled: LRUCache<string, Map<string, number>>
  private readonly clock: { now(): number }

  constructor(
    private readonly lookup: (username: string) => Promise<Presence[]>,
    opts: DeviceLookupsOptions = {},
  ) {
    const perf = opts.clock ?? Date
    this.clock = perf
    const max = opts.max ?? LOOKUP_CACHE_MAX
    // ttlResolution 0: read the clock on every check, not a copy cached for a millisecond of real time.
    this.cache = new LRUCache({ max, ttl: LOOKUP_STALE_MS, perf, ttlResolution: 0 })
    this.listed = new LRUCache({ max, ttl: RECENTLY_LISTED_MS, perf, ttlResolution: 0 })
    this.signalled = new LRUCache({ max, ttl: RECENTLY_LISTED_MS, perf, ttlResolution: 0 })
  }

  /** A user's online devices: from the cache when it is fresh, or under 5 s old while a fresh lookup runs. */
  devicesOf(username: string): Promise<Presence[]> {
    const hit = this.cache.get(username)
    if (hit === undefined) return this.ask(username, undefined).devices
    // Only a settled, non-empty answer is given stale (ids is set once it resolved to devices).
    if (this.clock.now() - hit.at <= LOOKUP_CACHE_MS || hit.ids === undefined) return hit.devices
    hit.refresh ??= this.ask(username, hit)
    return hit.devices
  }

  /**
   * A user's online devices as the directory answered at most CONFIRM_MS
   * ago: the cached answer if it is that recent, else the refresh already
   * running if it is, else a fresh lookup (which then replaces the cache).
   */
  confirm(username: string): Promise<Presence[]> {
    const hit = this.cache.peek(username)
    const now = this.clock.now()
    if (hit === undefined) return this.ask(username, undefined).devices
    if (now - hit.at <= CONFIRM_MS) return hit.devices
    if (hit.refresh === undefined || now - hit.refresh.at > CONFIRM_MS) hit.refresh = this.ask(username, hit)
    return hit.refresh.devices
  }

  /** Asks the directory; the answer replaces `old` (or fills the gap) once it comes, unless "nobody". */
  private ask(username: string, old: Entry | undefined): Entry {
    const devices = this.lookup(username)
    const entry: Entry = { devices, ids: undefined, at: this.clock.now(), refresh: undefined }
    // A first lookup is shared by everyone asking meanwhile; a refresh stays out of sight until it answers.
    if (old === undefined) this.cache.set(username, entry)
    const current = () => this.cache.peek(username)
    const forget = () => (current() === entry || current() === old) && this.cache.delete(username)
    devices.then((d) => {
      if (d.length === 0) {
        this.listed.delete(username)
        return forget()
      }
      entry.ids = new Set(d.map((p) => p.deviceId))
      this.listed.set(username, d)
      // Unless the old answer was dropped meanwhile (stale, heardFrom) and someone asked again.
      if (old !== undefined && (current() === old || current() === undefined)) this.cache.set(username, entry)
    }, forget)
    return entry
  }

  /**
   * The devices the last successful lookup of a user listed, if it is under
   * a minute old, and those of the user's devices a call signal came from
   * within the last minute (by their open connection: no addresses).
   */
  recentlyListed(username: string): Listed[] {
    const listed = this.listed.get(username) ?? []
    const signalled = this.signalled.get(username)
    if (signalled === undefined) return listed
    const now = this.clock.now()
    const more: Listed[] = []
    for (const [deviceId, at] of signalled) {
      if (now - at > RECENTLY_LISTED_MS) signalled.delete(deviceId)
      else if (!listed.some((p) => p.deviceId === deviceId)) more.push({ username, deviceId, addrs: [] })
    }
    return more.length === 0 ? listed : [...listed, ...more]
  }

  /** A call signal came from this device of the user (verified): it counts as listed for a minute. */
  signalFrom(username: string, deviceId: string): void {
    const devices = this.signalled.get(username) ?? new Map<string, number>()
    devices.set(deviceId, this.clock.now())
    this.signalled.set(username, devices)
  }

  /** An event came from a device the cached lookup of its user does not list: that lookup is stale. */
  heardFrom(username: string, deviceId: string): void {
    const ids = this.cache.peek(username)?.ids
    if (ids !== undefined && !ids.has(deviceId)) this.cache.delete(username)
  }

  /** A device the cached answer listed did not answer: ask again next time. */
  stale(username: string): void {
    this.cache.delete(username)
  }
}
