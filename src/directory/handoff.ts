/**
 * Hinted handoff: the records a supernode owes to ranks that did not take
 * them. A publish, a repair push or a read repair that a rank does not
 * acknowledge (busy, slow to connect on a loaded machine, briefly unknown)
 * would otherwise leave that rank without the record until the device
 * republishes, minutes later; and a lookup counts a stored rank's "not found"
 * as solid, so two such ranks answer "nobody" for a user who is online.
 *
 * The owed records are retried per peer with exponential backoff and jitter,
 * until the peer takes them, the record expires or is replaced, or the peer
 * is no longer one of the record's stored ranks (the caller's `wanted`).
 * Sans-IO: `now` and randomness are passed in; the directory service drives
 * it with one timer.
 */
import type { StoredRecord } from './records.js'

export interface HandoffOptions {
  /** The first retry comes this long after a failure, default 500 ms. */
  firstRetryMs?: number
  /** Backoff stops doubling here, default 30 s. */
  maxRetryMs?: number
  /** Records owed in all; past it new debts are dropped (and counted), default 100,000. */
  maxRecords?: number
  /** In [0, 1): spreads retries so that many owed peers are not retried in the same tick. */
  random: () => number
}

export interface HandoffPush {
  to: string
  records: StoredRecord[]
}

interface Owed {
  /** By device id: only a device's newest record is worth sending. */
  records: Map<string, StoredRecord>
  failures: number
  nextAt: number
  /** A push of these records is out: none is due until took() or failed() says how it went. */
  inFlight: boolean
}

const DEFAULT_FIRST_RETRY_MS = 500
const DEFAULT_MAX_RETRY_MS = 30_000
const DEFAULT_MAX_RECORDS = 100_000

export class Handoff {
  private readonly owed = new Map<string, Owed>()
  private readonly firstRetryMs: number
  private readonly maxRetryMs: number
  private readonly maxRecords: number
  private count = 0
  private dropped = 0

  constructor(private readonly opts: HandoffOptions) {
    this.firstRetryMs = opts.firstRetryMs ?? DEFAULT_FIRST_RETRY_MS
    this.maxRetryMs = opts.maxRetryMs ?? DEFAULT_MAX_RETRY_MS
    this.maxRecords = opts.maxRecords ?? DEFAULT_MAX_RECORDS
  }

  /** `to` did not take `records` (or was not asked in time): retry them after the peer's backoff. */
  failed(to: string, records: readonly StoredRecord[], now: number): void {
    if (records.length === 0) return
    let entry = this.owed.get(to)
    if (entry === undefined)
      this.owed.set(to, (entry = { records: new Map(), failures: 0, nextAt: now, inFlight: false }))
    for (const record of records) this.add(entry, record)
    if (entry.records.size === 0) {
      this.owed.delete(to)
      return
    }
    entry.inFlight = false
    entry.failures++
    const backoff = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** (entry.failures - 1))
    // Full jitter on the upper half: never sooner than half the backoff.
    entry.nextAt = now + backoff / 2 + (backoff / 2) * this.opts.random()
  }

  /** `to` took these records: nothing of them is owed any more (newer ones stay owed). */
  took(to: string, records: readonly StoredRecord[]): void {
    const entry = this.owed.get(to)
    if (entry === undefined) return
    for (const record of records) {
      const held = entry.records.get(record.deviceId)
      if (held !== undefined && held.sequence <= record.sequence) {
        entry.records.delete(record.deviceId)
        this.count--
      }
    }
    if (entry.records.size === 0) {
      this.owed.delete(to)
      return
    }
    // Newer records came while the push was out: they go at the next poll.
    entry.inFlight = false
    entry.failures = 0
    entry.nextAt = 0
  }

  /**
   * The pushes due now: the driver sends each and calls took() or failed()
   * with its outcome; the records stay owed until then. Expired records, and
   * records whose ranks no longer include the peer (`wanted`), are dropped.
   */
  due(now: number, wanted: (to: string, record: StoredRecord) => boolean): HandoffPush[] {
    const out: HandoffPush[] = []
    for (const [to, entry] of this.owed) {
      if (entry.inFlight || entry.nextAt > now) continue
      for (const [deviceId, record] of entry.records) {
        if (record.expiresAt > now && wanted(to, record)) continue
        entry.records.delete(deviceId)
        this.count--
      }
      if (entry.records.size === 0) {
        this.owed.delete(to)
        continue
      }
      entry.inFlight = true
      out.push({ to, records: [...entry.records.values()] })
    }
    return out
  }

  /** When due() next has something; undefined when nothing is owed or every push is out. */
  pollTimeout(): number | undefined {
    let at: number | undefined
    for (const entry of this.owed.values()) {
      if (!entry.inFlight) at = Math.min(at ?? Number.POSITIVE_INFINITY, entry.nextAt)
    }
    return at
  }

  /** Records owed now, and records dropped at the cap since the start. */
  stats(): { owed: number; peers: number; dropped: number } {
    return { owed: this.count, peers: this.owed.size, dropped: this.dropped }
  }

  /**
   * At the cap a new debt is dropped, in constant time: a peer that refuses every store (hostile, or
   * broken) must not make each failure cost a pass over everything owed. The device republishes
   * within minutes, so what is dropped is late, not lost.
   */
  private add(entry: Owed, record: StoredRecord): void {
    const held = entry.records.get(record.deviceId)
    if (held !== undefined && held.sequence >= record.sequence) return
    if (held === undefined) {
      if (this.count >= this.maxRecords) {
        this.dropped++
        return
      }
      this.count++
    }
    entry.records.set(record.deviceId, record)
  }
}
