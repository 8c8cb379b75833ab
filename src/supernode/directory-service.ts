/**
 * The directory on a supernode. Devices publish through the supernodes they
 * are attached to and look up through them; each username's records live on
 * R replicas chosen by weighted rendezvous hashing over the live supernodes
 * (and S spares after them), and a lookup is answered from them in one hop,
 * hedged so that no dead or frozen replica holds it up past a short timeout.
 * A rank that does not acknowledge a publish passes it on to the next rank,
 * and a lookup goes on down the ranking to find it there.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Admission } from '../attach/admission.js'
import { Lookup, type ReplicaAnswer } from '../directory/lookup.js'
import { Placement, type Placed } from '../placement/placement.js'
import { Rankings } from '../directory/ranking.js'
import { RecordStore, type StoredRecord } from '../directory/records.js'
import { planRepair } from '../directory/repair.js'
import { SlowPeers } from '../directory/slow-peers.js'
import type { Logger } from '../log/logger.js'
import { request } from '../net/rpc.js'
import { TrustError } from '../trust/errors.js'
import { verifyPresence } from '../trust/presence.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OverlayLimits } from '../wire/limits.js'
import {
  decodeDirectoryRequest,
  decodeDirectoryResponse,
  DirectoryKind,
  DirectoryRequest,
  DirectoryResponse,
  DirectoryResult,
} from '../wire/overlay.js'
import { driveLookup } from './drive-lookup.js'
import type { SupernodeMetrics } from './metrics.js'
import { Deadlines, Protocols } from './protocols.js'
import type { TrustState } from './trust-state.js'

export const REPLICAS = 3
/**
 * Ranks after the replicas that a record is stored at too. Records live R + S
 * deep so that a sudden loss (a freeze, a crash) of the first ranks leaves
 * copies a lookup reaches at once, before failure detection and repair: with
 * 30% of the supernodes frozen, a user's R = 3 replicas are all frozen about
 * one time in a hundred, all six ranks about one in ten thousand.
 */
export const SPARES = 3
export const STORED_RANKS = REPLICAS + SPARES
/** How far down the ranking a publish goes when ranks do not acknowledge, and a lookup follows. */
export const RANKING_DEPTH = 12
/**
 * A node newly among a username's stored ranks may lack its records this long: its holders repair it
 * only once their own membership changed too, seconds later (11.9 s until every live supernode saw a
 * freeze, docs/directory.md).
 */
export const SETTLE_MS = 30_000
/** A lookup gives up at this age; the device's own deadline (Deadlines.lookupMs) is longer. */
export const LOOKUP_DEADLINE_MS = 700
/** A replica that failed to answer is asked without being waited on for this long, or until it answers. */
const SLOW_FOR_MS = 10_000
/**
 * Membership changes that come in a burst (several deaths noticed together,
 * or a supernode declared dead that refutes and rejoins) are repaired once,
 * from the placement before the first to the placement after the last.
 */
export const REPAIR_SETTLE_MS = 500
/** Replica sets remembered per membership: a lookup-serving supernode asks for the same names again and again. */
const PLACEMENT_CACHE = 10_000

export interface DirectoryServiceInit {
  self: string
  node: Libp2p
  admission: Admission
  trust: TrustState
  metrics: SupernodeMetrics
  log: Logger
  /** Live supernodes with their placement weight. */
  members: () => Placed[]
  isMember: (peerId: string) => boolean
  addrsOf: (peerId: string) => Multiaddr[]
  replicaTimeoutMs?: number
}

const KIND_NAMES: Record<number, string> = { 1: 'publish', 2: 'lookup', 3: 'store', 4: 'fetch' }

export class DirectoryService {
  readonly store = new RecordStore()
  /** The latest record of each device attached here: republished to its replicas whenever membership changes. */
  private readonly home = new Map<string, StoredRecord>()
  private readonly replicaTimeoutMs: number
  private readonly rankings = new Rankings({
    stored: STORED_RANKS,
    depth: RANKING_DEPTH,
    settleMs: SETTLE_MS,
    cacheSize: PLACEMENT_CACHE,
  })
  private readonly slow = new SlowPeers({ ttlMs: SLOW_FOR_MS, max: 10_000, clock: Date })
  private pendingRepair: { before: Placed[]; after: Placed[] } | undefined
  private repairing: Promise<void> | undefined

  constructor(private readonly init: DirectoryServiceInit) {
    this.replicaTimeoutMs = init.replicaTimeoutMs ?? Deadlines.replicaMs
  }

  async handle(payload: Uint8Array, connection: Connection): Promise<Uint8Array> {
    const req = decodeDirectoryRequest(payload)
    const from = connection.remotePeer.toString()
    const kind = KIND_NAMES[req.kind] ?? 'unknown'
    const answer = await this.dispatch(req, from)
    this.init.metrics.directory.inc({ kind, result: String(answer.result) })
    this.init.metrics.records.set(this.store.size)
    return DirectoryResponse.encode(answer)
  }

  private async dispatch(req: DirectoryRequest, from: string): Promise<DirectoryResponse> {
    switch (req.kind) {
      case DirectoryKind.Publish:
        if (!this.init.admission.has(from)) return refused(ErrorCode.Unauthorized, 'attach before publishing')
        return this.publish(req.records, from)
      case DirectoryKind.Lookup:
        if (!this.init.admission.has(from)) return refused(ErrorCode.Unauthorized, 'attach before looking up')
        return this.lookup(req.username)
      case DirectoryKind.Store:
        if (!this.init.isMember(from)) return refused(ErrorCode.Unauthorized, 'only supernodes store records')
        return this.storeRecords(req.records)
      case DirectoryKind.Fetch:
        if (!this.init.isMember(from)) return refused(ErrorCode.Unauthorized, 'only supernodes fetch records')
        return this.fetch(req.username)
      default:
        return refused(ErrorCode.Malformed, 'unknown request')
    }
  }

  private verify(bytes: Uint8Array): StoredRecord {
    const p = verifyPresence(bytes, this.init.trust.verifyOptions(Date.now()))
    return { username: p.username, deviceId: p.deviceId, sequence: p.sequence, expiresAt: p.expiresAt, bytes }
  }

  private async publish(records: Uint8Array[], from: string): Promise<DirectoryResponse> {
    if (records.length !== 1) return refused(ErrorCode.InvalidField, 'publish one record at a time')
    let record: StoredRecord
    try {
      record = this.verify(records[0] ?? new Uint8Array())
    } catch (err) {
      if (err instanceof TrustError) return refused(err.code, err.message)
      throw err
    }
    if (record.deviceId !== from)
      return refused(ErrorCode.ProofFailed, 'a device publishes only its own record')
    const previous = this.home.get(from)
    if (previous === undefined || previous.sequence < record.sequence) this.home.set(from, record)
    const stored = await this.replicate(record)
    return stored > 0
      ? ok([])
      : {
          result: DirectoryResult.Busy,
          code: ErrorCode.Unavailable,
          message: 'no replica answered',
          records: [],
        }
  }

  /** Rankings under the current membership (one Placement per membership). */
  private current(): Rankings {
    this.rankings.update(this.init.members(), Date.now())
    return this.rankings
  }

  /**
   * Puts the record on its STORED_RANKS first ranks, or only on `to`; returns how many hold it. A rank
   * that does not acknowledge (or is known slow: it is tried all the same) passes its turn to the next
   * rank, down to RANKING_DEPTH, so a record whose replicas are all frozen still lands on live nodes.
   */
  private async replicate(record: StoredRecord, to?: string[]): Promise<number> {
    const put = async (peer: string): Promise<boolean> => {
      if (peer === this.init.self) return this.store.put(record, Date.now()) !== 'full'
      const ok = await this.pushTo(peer, [record])
      if (ok) this.slow.answered(peer)
      else this.slow.failed(peer)
      return ok
    }
    if (to !== undefined) return (await Promise.all(to.map(put))).filter(Boolean).length
    const ranking = this.current().order(record.username)
    let held = 0
    let next = 0
    while (held < STORED_RANKS && next < ranking.length) {
      const wave: string[] = []
      for (let fresh = 0; fresh < STORED_RANKS - held && next < ranking.length; next++) {
        const peer = ranking[next]!
        wave.push(peer)
        if (!this.slow.isSlow(peer)) fresh++
      }
      held += (await Promise.all(wave.map(put))).filter(Boolean).length
    }
    return held
  }

  /** Sends records in batches that fit the wire caps; true when every batch was accepted. */
  private async pushTo(peer: string, records: StoredRecord[]): Promise<boolean> {
    let ok = true
    for (let i = 0; i < records.length; i += OverlayLimits.records) {
      const batch = records.slice(i, i + OverlayLimits.records)
      try {
        const answer = await this.ask(peer, {
          kind: DirectoryKind.Store,
          records: batch.map((r) => plain(r.bytes)),
          username: '',
        })
        ok &&= answer.result === DirectoryResult.Ok
      } catch {
        return false
      }
    }
    return ok
  }

  private async lookup(username: string): Promise<DirectoryResponse> {
    const end = this.init.metrics.lookupSeconds.startTimer()
    const now = Date.now()
    const ranking = this.current().rank(username, now, (peer) => this.slow.isSlow(peer))
    const core = new Lookup(
      {
        replicas: ranking,
        username,
        attemptTimeoutMs: this.replicaTimeoutMs,
        overallTimeoutMs: LOOKUP_DEADLINE_MS,
      },
      now,
    )
    const result = await driveLookup(core, (peer) => this.fetchFrom(peer, username), this.slow)
    end()
    if (result.kind === 'found') return ok(result.records.map((r) => plain(r.bytes)))
    if (result.kind === 'not-found')
      return {
        result: DirectoryResult.NotFound,
        code: ErrorCode.NotFound,
        message: `no online device of ${username}`,
        records: [],
      }
    return {
      result: DirectoryResult.Busy,
      code: ErrorCode.Unavailable,
      message: `lookup failed: ${result.reason}`,
      records: [],
    }
  }

  private async fetchFrom(peer: string, username: string): Promise<ReplicaAnswer> {
    if (peer === this.init.self) return answerOf(this.store.get(username, Date.now()))
    const answer = await this.ask(peer, { kind: DirectoryKind.Fetch, username, records: [] })
    if (answer.result === DirectoryResult.NotFound) return { kind: 'not-found' }
    if (answer.result !== DirectoryResult.Ok) return { kind: 'error' }
    const records: StoredRecord[] = []
    for (const bytes of answer.records) {
      try {
        const r = this.verify(bytes)
        if (r.username === username) records.push(r)
      } catch {
        // A replica serving a bad record is not trusted for it; the others may still answer.
      }
    }
    return answerOf(records)
  }

  private storeRecords(records: Uint8Array[]): DirectoryResponse {
    let stored = 0
    for (const bytes of records) {
      try {
        const r = this.verify(bytes)
        if (this.store.put(r, Date.now()) !== 'full') stored++
      } catch (err) {
        if (!(err instanceof TrustError)) throw err
      }
    }
    return stored > 0 || records.length === 0
      ? ok([])
      : refused(ErrorCode.InvalidField, 'no record was acceptable')
  }

  private fetch(username: string): DirectoryResponse {
    const records = this.store.get(username, Date.now())
    return records.length > 0
      ? ok(records.map((r) => plain(r.bytes)))
      : { result: DirectoryResult.NotFound, code: ErrorCode.NotFound, message: '', records: [] }
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
    this.store.expire(now)
    const plan = planRepair({
      self: this.init.self,
      records: this.store.all(now),
      before,
      after,
      r: STORED_RANKS,
    })
    await Promise.all(plan.map(({ to, records }) => this.pushTo(to, records)))
    for (const [deviceId, record] of this.home) {
      if (record.expiresAt <= now || !this.init.admission.has(deviceId)) this.home.delete(deviceId)
    }
    // A home record goes only where its username gained a replica: the replicas it kept hold it already,
    // and republishing every attached device at every change turned membership flaps into store storms.
    const was = new Placement(before)
    const is = new Placement(after)
    await Promise.all(
      [...this.home.values()].map((r) => {
        const old = new Set(was.replicasFor(r.username, STORED_RANKS))
        const gained = is.replicasFor(r.username, STORED_RANKS).filter((p) => !old.has(p))
        return gained.length > 0 ? this.replicate(r, gained) : Promise.resolve(0)
      }),
    )
    // Records this node no longer replicates are left to expire (an hour at most): lookups never ask
    // a non-replica, and dropping them before the new replicas confirmed could lose the last copy.
  }

  forgetDevice(deviceId: string): void {
    this.home.delete(deviceId)
  }

  private async ask(peer: string, req: DirectoryRequest): Promise<DirectoryResponse> {
    const addrs = this.init.addrsOf(peer)
    if (addrs.length === 0) throw new Error(`no address for ${peer}`)
    const bytes = await request(this.init.node, addrs, Protocols.directory, DirectoryRequest.encode(req), {
      timeoutMs: this.replicaTimeoutMs,
      maxResponseBytes: OverlayLimits.directoryBytes,
    })
    return decodeDirectoryResponse(bytes)
  }
}

function ok(records: Uint8Array<ArrayBuffer>[]): DirectoryResponse {
  return { result: DirectoryResult.Ok, code: '', message: '', records }
}

function refused(code: string, message: string): DirectoryResponse {
  return { result: DirectoryResult.Refused, code, message, records: [] }
}

function answerOf(records: StoredRecord[]): ReplicaAnswer {
  return records.length > 0 ? { kind: 'found', records } : { kind: 'not-found' }
}
