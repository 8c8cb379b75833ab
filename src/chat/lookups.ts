/**
 * The chat service's memory of directory lookups: who is online, asked
 * again after 3 s. "No device online" is never kept (the next event looks
 * again), an event from a device the cached answer does not list drops that
 * answer, and the last non-empty answer is kept a minute for call signals,
 * which go at once to those devices while a fresh lookup runs.
 */
import type { Presence } from '../trust/presence.js'

const LOOKUP_CACHE_MS = 3_000
/** Call signals go at once to the devices a lookup listed this recently (and a fresh lookup runs). */
const RECENTLY_LISTED_MS = 60_000

interface Entry {
  at: number
  devices: Promise<Presence[]>
  ids: Set<string> | undefined
}

export class DeviceLookups {
  private readonly cache = new Map<string, Entry>()
  /** The last non-empty answer per user. */
  private readonly listed = new Map<string, { at: number; devices: Presence[] }>()

  constructor(private readonly lookup: (username: string) => Promise<Presence[]>) {}

  /** A user's online devices, from the cache when it is fresh. */
  devicesOf(username: string): Promise<Presence[]> {
    const hit = this.cache.get(username)
    if (hit !== undefined && Date.now() - hit.at < LOOKUP_CACHE_MS) return hit.devices
    const devices = this.lookup(username)
    const entry: Entry = { at: Date.now(), devices, ids: undefined }
    this.cache.set(username, entry)
    const forget = () => this.cache.get(username) === entry && this.cache.delete(username)
    devices.then((d) => {
      if (d.length === 0) {
        this.listed.delete(username)
        return forget()
      }
      entry.ids = new Set(d.map((p) => p.deviceId))
      this.listed.set(username, { at: Date.now(), devices: d })
    }, forget)
    return devices
  }

  /** The devices the last successful lookup of a user listed, if it is under a minute old. */
  recentlyListed(username: string): Presence[] {
    const last = this.listed.get(username)
    return last !== undefined && Date.now() - last.at < RECENTLY_LISTED_MS ? last.devices : []
  }

  /** An event came from a device the cached lookup of its user does not list: that lookup is stale. */
  heardFrom(username: string, deviceId: string): void {
    const ids = this.cache.get(username)?.ids
    if (ids !== undefined && !ids.has(deviceId)) this.cache.delete(username)
  }

  /** A device the cached answer listed did not answer: ask again next time. */
  stale(username: string): void {
    this.cache.delete(username)
  }
}
