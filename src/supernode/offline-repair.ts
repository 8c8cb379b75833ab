/**
 * Offline-store repair on one supernode: when membership changes, push the
 * items of every recipient whose replica set gained members to those
 * members (planKeyRepair decides which), page by page, retrying a refused or
 * failed push a few times with full-jitter backoff (a newcomer may not know
 * this node is alive yet). Items this node no longer replicates stay until
 * retention ends: a take on them still works, and dropping them before the
 * new replicas hold them could lose the last copy.
 *
 * Items go as they were deposited, with their depositing device's signature:
 * the receiver believes nothing this node says about them (admit.ts). It
 * refuses recipients it does not replicate by its own view (not_replica):
 * its view is behind this node's, so such a push is retried for up to
 * NOT_REPLICA_PATIENCE_MS; other refusals wait for the next membership change.
 */
import type { BackoffPolicy } from '../util/backoff.js'
import type { Placed } from '../placement/placement.js'
import type { Logger } from '../log/logger.js'
import { planKeyRepair, pushDelay } from '../offline/repair.js'
import type { OfflineStore, RepairCursor } from '../offline/store.js'
import { OfflineKind, OfflineResult, type SealedItem } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import type { SupernodeMetrics } from './metrics.js'
import { emptyRequest } from './offline-answers.js'
import { requestBatches, toWire, type AskReplica } from './offline-replicas.js'
import { Deadlines } from './protocols.js'

export interface OfflineRepairInit {
  self: string
  store: OfflineStore
  ask: AskReplica
  metrics: SupernodeMetrics
  log: Logger
  r: number
  random?: () => number
}

const PAGE_ITEMS = 256
const ATTEMPTS = 5
const RETRY: BackoffPolicy = { baseMs: 500, capMs: 8_000 }
/**
 * How long a push refused `not_replica` keeps being retried. The destination's view is behind
 * ours: a join or death it has not heard of yet (a gossip round), or a grant list it has not
 * fetched yet when placement switched to seats or a seat changed (its next fetch, within 20 s).
 */
export const NOT_REPLICA_PATIENCE_MS = 45_000
/** Fills (pushes of a confirmed deposit to a replica that missed it) in progress at most; the rest wait for repair. */
const MAX_FILLS = 32

export class OfflineRepair {
  private stopped = false
  private filling = 0
  private readonly random: () => number

  constructor(private readonly init: OfflineRepairInit) {
    this.random = init.random ?? Math.random
  }

  stop(): void {
    this.stopped = true
  }

  /** Membership changed from `before` to `after`: push what new replicas lack. Never throws. */
  async run(before: Placed[], after: Placed[]): Promise<void> {
    const { store, self, r, log } = this.init
    try {
      store.expire(Date.now())
      const plan = planKeyRepair({ self, keys: store.recipients(), before, after, r })
      if (plan.length === 0) return
      log.info({ destinations: plan.length }, 'offline repair')
      await Promise.all(plan.map(({ to, keys }) => this.pushAll(to, keys)))
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'offline repair failed')
    }
  }

  private async pushAll(to: string, recipients: string[]): Promise<void> {
    for (const recipient of recipients) {
      let cursor: RepairCursor | undefined
      for (;;) {
        if (this.stopped) return
        const page = this.init.store.itemsOf(recipient, cursor, PAGE_ITEMS)
        const last = page[page.length - 1]
        if (last === undefined) break
        cursor = { id: last.id }
        for (const batch of requestBatches(page.map(toWire))) {
          if (!(await this.push(to, batch))) {
            // The destination is gone or refuses: the next membership change plans again.
            this.init.log.warn({ to, recipient }, 'offline repair push failed; giving up on this replica')
            return
          }
        }
      }
    }
  }

  /**
   * Items of a confirmed deposit that one of their replicas failed to store
   * (offline-devices.ts): pushed to it with the same retries as a repair.
   * `busyRetryAfterMs`: it answered busy with this retry time, which is
   * waited first: a busy replica is not pushed to again at once. Never throws.
   */
  async fill(to: string, items: SealedItem[], busyRetryAfterMs = 0): Promise<void> {
    // A replica down for long fails every deposit's fill: bounded, so an outage does not pile them up.
    if (this.filling >= MAX_FILLS) return
    this.filling++
    try {
      let busy = busyRetryAfterMs
      for (const batch of requestBatches(items)) {
        if (!(await this.push(to, batch, busy))) {
          this.init.log.warn({ to, items: items.length }, 'offline fill failed; left to the next repair')
          return
        }
        busy = 0
      }
    } catch (err) {
      this.init.log.warn({ err: (err as Error).message }, 'offline fill failed')
    } finally {
      this.filling--
    }
  }

  /** `busyRetryAfterMs`: the destination answered busy just before, with this retry time. */
  private async push(to: string, items: SealedItem[], busyRetryAfterMs = 0): Promise<boolean> {
    const { ask, metrics } = this.init
    const patientUntil = Date.now() + NOT_REPLICA_PATIENCE_MS
    let behind = false
    let busy = busyRetryAfterMs
    for (let attempt = 0; !this.stopped; attempt++) {
      if (attempt >= ATTEMPTS && !(behind && Date.now() < patientUntil)) break
      const wait = pushDelay(Math.min(attempt, ATTEMPTS), busy, RETRY, this.random())
      if (wait > 0) await sleep(wait)
      if (this.stopped) break
      try {
        const res = await ask(to, { ...emptyRequest(OfflineKind.Store), items }, Deadlines.offlineStoreMs)
        busy = res.result === OfflineResult.Busy ? res.retryAfterMs : 0
        if (res.result === OfflineResult.Ok) {
          metrics.offlineRepaired.inc({ result: 'ok' }, items.length)
          return true
        }
        // The rest of the batch was stored; items it cannot verify stay here until they expire.
        if (res.code === ErrorCode.DepositUnsigned || res.code === ErrorCode.DepositInvalid) {
          metrics.offlineRepaired.inc({ result: 'refused' }, items.length)
          return true
        }
        // Its view of placement is behind ours: it will replicate these once it catches up.
        behind = res.code === ErrorCode.NotReplica
        // A full quota there will not empty itself in a few seconds.
        if (res.result === OfflineResult.Refused && res.code !== ErrorCode.Unauthorized && !behind) break
      } catch {
        // Unreachable for now: try again.
        busy = 0
      }
    }
    metrics.offlineRepaired.inc({ result: 'failed' }, items.length)
    return false
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
