/**
 * The directory's write path on a supernode: putting a record on its stored
 * ranks, handing what a rank did not take to it later (hinted handoff,
 * directory/handoff.ts), giving a record to ranks a lookup found lacking it
 * (read repair), and re-replicating after membership changes. A rank that
 * missed a record must not keep missing it until the device republishes
 * minutes later: a lookup counts a stored rank's "not found".
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Admission } from '../attach/admission.js'
import { Handoff } from '../directory/handoff.js'
import type { Rankings } from '../directory/ranking.js'
import type { RecordStore, StoredRecord } from '../directory/records.js'
import { planRepair } from '../directory/repair.js'
import type { SlowPeers } from '../directory/slow-peers.js'
import { StoreBatches, type StoreBatch } from '../directory/store-batches.js'
import { Placement, type Placed } from '../placement/placement.js'
import { plain } from '../wire/bytes.js'
import { OverlayLimits } from '../wire/limits.js'
import {
  DirectoryKind,
  DirectoryResult,
  type DirectoryRequest,
  type DirectoryResponse,
} from '../wire/overlay.js'
import type { SupernodeMetrics } from './metrics.js'

/**
 * Ranks after the replicas that a record is stored at too. Records live R + S
 * deep so that a sudden loss (a freeze, a crash) of the first ranks leaves
 * copies a lookup reaches at once, before failure detection and repair: with
 * 30% of the supernodes frozen, a user's R = 3 replicas are all frozen about
 * one time in a hundred, all six ranks about one in ten thousand.
 */
export const REPLICAS = 3
export const SPARES = 3
export const STORED_RANKS = REPLICAS + SPARES
/**
 * Membership changes that come in a burst (several deaths noticed together,
 * or a supernode declared dead that refutes and rejoins) are repaired once,
 * from the placement before the first to the placement after the last.
 */
export const REPAIR_SETTLE_MS = 500

export interface ReplicationInit {
  self: string
  store: RecordStore
  /** The latest record of each device attached here: republished to its replicas whenever membership changes. */
  home: Map<string, StoredRecord>
  admission: Admission
  slow: SlowPeers
  /** Rankings under the current membership. */
  rankings: () => Rankings
  metrics: SupernodeMetrics
  ask: (peer: string, req: DirectoryRequest) => Promise<DirectoryResponse>
}

export class Replication {
  private readonly handoff = new Handoff({ random: Math.random })
  private handoffTimer: NodeJS.Timeout | undefined
  private stopped = false
  private pendingRepair: { before: Placed[]; after: Placed[] } | undefined
  private repairing: Promise<void> | undefined
  /** Stores to each peer, one request out at a time, what comes meanwhile together (store-batches.ts). */
  private readonly batches = new StoreBatches<StoredRecord>(OverlayLimits.records)
  private readonly waiters = new Map<number, (ok: boolean) => void>()
  private nextUnit = 0

  constructor(private readonly init: ReplicationInit) {}

  /**
   * Puts the record on its STORED_RANKS first ranks, or only on `to`; returns how many hold it. A rank
   * that does not acknowledge (or is known slow: it is tried all the same) passes its turn to the next
   * rank, down to RANKING_DEPTH, so a record whose replicas are all frozen still lands on live nodes.
   */
  async replicate(record: StoredRecord, to?: string[]): Promise<number> {
    const ranking = this.init.rankings().order(record.username)
    const stored = new Set(ranking.slice(0, STORED_RANKS))
    const put = async (peer: string): Promise<boolean> => {
      if (peer === this.init.self) return this.init.store.put(record, Date.now()) !== 'full'
      const ok = await this.pushTo(peer, [record])
      if (ok) this.init.slow.answered(peer)
      else this.init.slow.failed(peer)
      // A stored rank a lookup counts on: it gets the record later. A rank past them was only a stand-in.
      if (!ok && stored.has(peer)) this.owe(peer, [record])
      return ok
    }
    if (to !== undefined) return (await Promise.all(to.map(put))).filter(Boolean).length
    let held = 0
    let next = 0
    while (held < STORED_RANKS && next < ranking.length) {
      const wave: string[] = []
      for (let fresh = 0; fresh < STORED_RANKS - held && next < ranking.length; next++) {
        const peer = ranking[next]!
        wave.push(peer)
        if (!this.init.slow.isSlow(peer)) fresh++
      }
      held += (await Promise.all(wave.map(put))).filter(Boolean).length
    }
    return held
  }

  /**
   * Stores records on a peer; true when it took them. Coalesced with other stores to the same peer
   * (store-batches.ts): one request out at a time, what comes meanwhile goes in the next.
   */
  private pushTo(peer: string, records: StoredRecord[]): Promise<boolean> {
    return new Promise((resolve) => {
      const id = this.nextUnit++
      this.waiters.set(id, resolve)
      const batch = this.batches.add(peer, id, records)
      if (batch !== undefined) void this.send(peer, batch)
    })
  }

  /** One batch, in requests that fit the wire caps; then the next batch to the same peer. Never throws. */
  private async send(peer: string, batch: StoreBatch<StoredRecord>): Promise<void> {
    let ok = true
    for (let i = 0; ok && i < batch.records.length; i += OverlayLimits.records) {
      const records = batch.records.slice(i, i + OverlayLimits.records)
      try {
        const answer = await this.init.ask(peer, {
          kind: DirectoryKind.Store,
          records: records.map((r) => plain(r.bytes)),
          username: '',
        })
        ok = answer.result === DirectoryResult.Ok
      } catch {
        ok = false
      }
    }
    this.init.metrics.directoryStoresSent.inc({ result: ok ? 'ok' : 'failed' }, batch.records.length)
    const { done, failed, next } = this.batches.settled(peer, ok)
    for (const id of done) this.settle(id, true)
    for (const id of failed) this.settle(id, false)
    if (next !== undefined) void this.send(peer, next)
  }

  private settle(id: number, ok: boolean): void {
    const resolve = this.waiters.get(id)
    this.waiters.delete(id)
    resolve?.(ok)
  }

  /** Stored ranks that answered "not found" for records a lookup found elsewhere: give them the records. */
  readRepair(username: string, notFound: readonly string[], records: StoredRecord[]): void {
    if (notFound.length === 0) return
    const stored = new Set(this.init.rankings().order(username).slice(0, STORED_RANKS))
    for (const peer of notFound) {
      if (!stored.has(peer)) continue
      this.init.metrics.directoryRepairs.inc({ kind: 'read' })
      if (peer === this.init.self) for (const r of records) this.init.store.put(r, Date.now())
      else void this.deliver(peer, records)
    }
  }

  /** Pushes records owed to a peer; what it does not take is owed again, with a longer backoff. */
  private async deliver(peer: string, records: StoredRecord[]): Promise<void> {
    if (await this.pushTo(peer, records)) {
      this.init.slow.answered(peer)
      this.handoff.took(peer, records)
    } else {
      this.owe(peer, records)
    }
    this.init.metrics.directoryOwed.set(this.handoff.stats().owed)
  }

  private owe(peer: string, records: StoredRecord[]): void {
    if (this.stopped) return
    this.handoff.failed(peer, records, Date.now())
    this.init.metrics.directoryOwed.set(this.handoff.stats().owed)
    this.scheduleHandoff()
  }

  private scheduleHandoff(): void {
    clearTimeout(this.handoffTimer)
    const at = this.handoff.pollTimeout()
    if (at === undefined || this.stopped) return
    this.handoffTimer = setTimeout(() => this.runHandoff(), Math.max(0, at - Date.now()))
    this.handoffTimer.unref()
  }

  /** The handoffs due: each to a peer still among the record's stored ranks, under today's membership. */
  private runHandoff(): void {
    const rankings = this.init.rankings()
    const pushes = this.handoff.due(Date.now(), (to, r) =>
      rankings.order(r.username).slice(0, STORED_RANKS).includes(to),
    )
    for (const { to, records } of pushes) {
      this.init.metrics.directoryRepairs.inc({ kind: 'handoff' })
      void this.deliver(to, records).finally(() => this.scheduleHandoff())
    }
    this.scheduleHandoff()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.handoffTimer)
  }

  /**
   * Membership changed: push what new replicas may lack, then the records of
   * the devices attached here to the replicas their usernames gained. Bursts
   * are coalesced (REPAIR_SETTLE_MS) and repairs never overlap; the promise
   * settles when the repair that includes this change is done.
   */
  repair(before: Placed[], after: Placed[]): Promise<void> {
    if (this.pendingRepair === undefined) this.pendingRepair = { before, after }
    else this.pendingRepair.after = after
    this.repairing ??= this.drainRepairs().finally(() => (this.repairing = undefined))
    return this.repairing
  }

  private async drainRepairs(): Promise<void> {
    while (this.pendingRepair !== undefined) {
      await sleep(REPAIR_SETTLE_MS)
      const { before, after } = this.pendingRepair
      this.pendingRepair = undefined
      await this.repairOnce(before, after)
    }
  }

  private async repairOnce(before: Placed[], after: Placed[]): Promise<void> {
    const now = Date.now()
    this.init.store.expire(now)
    const plan = planRepair({
      self: this.init.self,
      records: this.init.store.all(now),
      before,
      after,
      r: STORED_RANKS,
    })
    await Promise.all(plan.map(({ to, records }) => this.deliver(to, records)))
    for (const [deviceId, record] of this.init.home) {
      if (record.expiresAt <= now || !this.init.admission.has(deviceId)) this.init.home.delete(deviceId)
    }
    // A home record goes only where its username gained a replica: the replicas it kept hold it already,
    // and republishing every attached device at every change turned membership flaps into store storms.
    const was = new Placement(before)
    const is = new Placement(after)
    await Promise.all(
      [...this.init.home.values()].map((r) => {
        const old = new Set(was.replicasFor(r.username, STORED_RANKS))
        const gained = is.replicasFor(r.username, STORED_RANKS).filter((p) => !old.has(p))
        return gained.length > 0 ? this.replicate(r, gained) : Promise.resolve(0)
      }),
    )
    // Records this node no longer replicates are left to expire (an hour at most): lookups never ask
    // a non-replica, and dropping them before the new replicas confirmed could lose the last copy.
  }
}
