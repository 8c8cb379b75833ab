/**
 * The presence records one supernode holds as a directory replica. Sans-IO:
 * the caller passes `now`. The adapter has verified each record's signature
 * and certificate (and capped its lifetime) before it gets here; this store
 * only decides which version of a device's record wins and keeps memory
 * bounded.
 */
import TinyQueue from 'tinyqueue'

export interface StoredRecord {
  username: string
  deviceId: string
  sequence: number
  expiresAt: number
  /** The signed record, served as is: replicas never re-sign or re-encode. */
  bytes: Uint8Array
}

/**
 * - stored: kept (new, or newer than what was held)
 * - stale: the store holds this sequence or a higher one for the device
 * - expired: expiresAt ≤ now
 * - full: no room (global cap, or the user's device cap and this record expires first)
 */
export type PutResult = 'stored' | 'stale' | 'expired' | 'full'

export interface RecordStoreOptions {
  /** Records held in all, default 1_000_000 (about the presence of 1/3 of a million users per replica). */
  maxRecords?: number
  /** Devices kept per username, default 16. */
  maxDevicesPerUser?: number
}

const DEFAULT_MAX_RECORDS = 1_000_000
const DEFAULT_MAX_DEVICES_PER_USER = 16
/** Stale heap entries tolerated beyond the live ones before the heap is rebuilt. */
const QUEUE_SLACK = 1024

/**
 * A record's expiry in the min-heap (tinyqueue), so that dropping expired
 * records costs time in proportion to what expired, not to the million records
 * a supernode holds. Entries are never removed from the middle: when a record
 * is replaced or removed its entry goes stale, and each popped entry is checked
 * against what is held (lazy deletion).
 */
interface Expiry {
  at: number
  username: string
  deviceId: string
}

const byAt = (a: Expiry, b: Expiry): number => a.at - b.at

/** Records are kept as given and handed out as is: treat them as immutable. */
export class RecordStore {
  private readonly users = new Map<string, Map<string, StoredRecord>>()
  private queue = new TinyQueue<Expiry>([], byAt)
  private readonly maxRecords: number
  private readonly maxDevicesPerUser: number
  private count = 0

  constructor(opts: RecordStoreOptions = {}) {
    this.maxRecords = Math.max(1, opts.maxRecords ?? DEFAULT_MAX_RECORDS)
    this.maxDevicesPerUser = Math.max(1, opts.maxDevicesPerUser ?? DEFAULT_MAX_DEVICES_PER_USER)
  }

  /** Records held; expired ones count until expire() or a later put() drops them. */
  get size(): number {
    return this.count
  }

  /** Per (username, deviceId) the higher sequence wins; an equal one is 'stale'; expired input is refused. */
  put(record: StoredRecord, now: number): PutResult {
    if (!(Number.isFinite(record.expiresAt) && record.expiresAt > now)) return 'expired'
    // A sequence that cannot be ordered could never be superseded; refuse it rather than pin a device.
    if (!(Number.isSafeInteger(record.sequence) && record.sequence >= 0)) return 'stale'
    // Draining what is due keeps the store small without a full sweep.
    this.expire(now)
    const devices = this.users.get(record.username)
    const held = devices?.get(record.deviceId)
    if (held !== undefined) {
      if (held.sequence >= record.sequence) return 'stale'
      this.replace(devices!, record)
      return 'stored'
    }
    if (devices !== undefined && devices.size >= this.maxDevicesPerUser) {
      return this.evictForNewDevice(devices, record)
    }
    if (this.count >= this.maxRecords) return 'full'
    this.insert(record)
    return 'stored'
  }

  /** Unexpired records of one username, ordered by deviceId. */
  get(username: string, now: number): StoredRecord[] {
    const devices = this.users.get(username)
    if (devices === undefined) return []
    return [...devices.values()].filter((r) => r.expiresAt > now).sort(byDevice)
  }

  remove(username: string, deviceId: string): void {
    const devices = this.users.get(username)
    if (devices === undefined || !devices.delete(deviceId)) return
    this.count--
    if (devices.size === 0) this.users.delete(username)
  }

  /** Usernames with at least one record held (some may have only expired ones until expire()). */
  usernames(): IterableIterator<string> {
    return this.users.keys()
  }

  /** Every unexpired record, for repair and handoff. */
  all(now: number): StoredRecord[] {
    const out: StoredRecord[] = []
    for (const devices of this.users.values()) {
      for (const record of devices.values()) if (record.expiresAt > now) out.push(record)
    }
    return out
  }

  /** Drops records with expiresAt ≤ now; returns how many. Cost follows what expired, not what is held. */
  expire(now: number): number {
    let dropped = 0
    while ((this.queue.peek()?.at ?? Infinity) <= now) {
      const due = this.queue.pop()!
      const record = this.users.get(due.username)?.get(due.deviceId)
      // The entry may be stale: the record was replaced by a longer-lived one, or removed.
      if (record === undefined || record.expiresAt > now) continue
      this.remove(due.username, due.deviceId)
      dropped++
    }
    return dropped
  }

  /**
   * The user already has the maximum number of devices. Keep the ones that
   * will stay longest: their records were published most recently, so they
   * are the devices most likely online. Every replica converges on the same
   * set whatever order records arrive in.
   */
  private evictForNewDevice(devices: Map<string, StoredRecord>, record: StoredRecord): PutResult {
    let first: StoredRecord | undefined
    for (const held of devices.values()) {
      if (first === undefined || byExpiry(held, first) < 0) first = held
    }
    if (first === undefined || byExpiry(record, first) <= 0) return 'full'
    this.remove(first.username, first.deviceId)
    this.insert(record)
    return 'stored'
  }

  private insert(record: StoredRecord): void {
    let devices = this.users.get(record.username)
    if (devices === undefined) {
      devices = new Map()
      this.users.set(record.username, devices)
    }
    devices.set(record.deviceId, record)
    this.count++
    this.enqueue(record)
  }

  private replace(devices: Map<string, StoredRecord>, record: StoredRecord): void {
    devices.set(record.deviceId, record)
    this.enqueue(record)
  }

  private enqueue(record: StoredRecord): void {
    this.queue.push({ at: record.expiresAt, username: record.username, deviceId: record.deviceId })
    // Replacements leave stale entries behind; rebuild before they outgrow the records themselves.
    if (this.queue.length > 2 * this.count + QUEUE_SLACK) {
      const live = []
      for (const devices of this.users.values()) {
        for (const r of devices.values())
          live.push({ at: r.expiresAt, username: r.username, deviceId: r.deviceId })
      }
      this.queue = new TinyQueue(live, byAt)
    }
  }
}

function byDevice(a: StoredRecord, b: StoredRecord): number {
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0
}

/** Earlier expiry first; ties by deviceId so that every replica evicts the same one. */
function byExpiry(a: StoredRecord, b: StoredRecord): number {
  return a.expiresAt - b.expiresAt || byDevice(a, b)
}
