/**
 * The directory on a supernode. Devices publish through the supernodes they
 * are attached to and look up through them; each username's records live on
 * R replicas chosen by weighted rendezvous hashing over the live supernodes
 * (and S spares after them), and a lookup is answered from them in one hop,
 * hedged so that no dead or frozen replica holds it up past a short timeout.
 * A rank that does not acknowledge a publish passes it on to the next rank,
 * and a lookup goes on down the ranking to find it there; what ranks miss is
 * handed to them later (directory-replication.ts).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Admission } from '../attach/admission.js'
import { Lookup, type ReplicaAnswer } from '../directory/lookup.js'
import type { Placed } from '../placement/placement.js'
import { Rankings } from '../directory/ranking.js'
import { RecordStore, type StoredRecord } from '../directory/records.js'
import { HedgeDelay } from '../directory/hedge-delay.js'
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
import { Replication, STORED_RANKS } from './directory-replication.js'
import { driveLookup } from './drive-lookup.js'
import type { SupernodeMetrics } from './metrics.js'
import { Deadlines, Protocols } from './protocols.js'
import type { TrustState } from './trust-state.js'

export { REPLICAS, STORED_RANKS } from './directory-replication.js'

/** How far down the ranking a publish goes when ranks do not acknowledge, and a lookup follows. */
export const RANKING_DEPTH = 12
/**
 * "Not found" answers from stored ranks that make a lookup answer "nobody". Three, not two: a rank
 * can miss a record for a moment (it did not take the publish in time, or the publisher did not
 * count it a member yet) until handoff or read repair reaches it, and two such ranks answering first
 * must not hide a user who is online. The price is one more answer for a user who is not.
 */
export const NOT_FOUND_QUORUM = 3
/**
 * …but once the whole ranking was asked and holders did not answer (frozen), two of them decide
 * "nobody", as before the quorum was raised: with 6 of 20 supernodes frozen, fewer than 3 of a name's
 * 6 stored ranks are alive about 7% of the time (fewer than 2: about 1%), and each of those lookups for
 * a name nobody has answered "unavailable" (bench:directory at 03:40 UTC 2026-12-07: 7 of 200).
 */
export const LAST_RESORT_QUORUM = 2
/**
 * A node newly among a username's stored ranks may lack its records this long: its holders repair it
 * only once their own membership changed too, seconds later (11.9 s until every live supernode saw a
 * freeze, docs/directory.md).
 */
export const SETTLE_MS = 30_000
/** A lookup gives up at this age; the device's own deadline (Deadlines.lookupMs) is longer. */
export const LOOKUP_DEADLINE_MS = 700
/**
 * A supernode's lookup asks the next rank too after the 95th percentile of its replicas' recent
 * answer times, within 25–100 ms (25 until it has seen 16 answers, the fixed delay it replaces).
 * With a fixed 25 ms, a loaded network whose replicas answered in 30 ms asked two or three ranks
 * per lookup, and the extra requests loaded it further, right when 30% of it froze.
 */
export const REPLICA_HEDGE = { minMs: 25, maxMs: 100, coldMs: 25 } as const
/** A replica that failed to answer is asked without being waited on for this long, or until it answers. */
export const SLOW_FOR_MS = 10_000
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
  /** A drill's fault (drill.ts): answer stores busy while true. */
  storesPaused?: () => boolean
}

const KIND_NAMES: Record<number, string> = { 1: 'publish', 2: 'lookup', 3: 'store', 4: 'fetch' }

export class DirectoryService {
  readonly store = new RecordStore()
  /** The latest record of each device attached here (Replication republishes them at membership changes). */
  private readonly home = new Map<string, StoredRecord>()
  private readonly replicaTimeoutMs: number
  private readonly rankings = new Rankings({
    stored: STORED_RANKS,
    depth: RANKING_DEPTH,
    settleMs: SETTLE_MS,
    cacheSize: PLACEMENT_CACHE,
  })
  private readonly slow = new SlowPeers({ ttlMs: SLOW_FOR_MS, max: 10_000, clock: Date })
  private readonly hedge = new HedgeDelay(REPLICA_HEDGE)
  private readonly replication: Replication

  constructor(private readonly init: DirectoryServiceInit) {
    this.replicaTimeoutMs = init.replicaTimeoutMs ?? Deadlines.replicaMs
    this.replication = new Replication({
      self: init.self,
      store: this.store,
      home: this.home,
      admission: init.admission,
      slow: this.slow,
      rankings: () => this.current(),
      metrics: init.metrics,
      ask: (peer, req) => this.ask(peer, req),
    })
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
        if (this.init.storesPaused?.() === true) return busy('drill: stores paused')
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
    const stored = await this.replication.replicate(record)
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

  private async lookup(username: string): Promise<DirectoryResponse> {
    const end = this.init.metrics.lookupSeconds.startTimer()
    const now = Date.now()
    const ranking = this.current().rank(username, now, (peer) => this.slow.isSlow(peer))
    const core = new Lookup(
      {
        replicas: ranking,
        username,
        hedgeDelayMs: this.hedge.delayMs(),
        attemptTimeoutMs: this.replicaTimeoutMs,
        overallTimeoutMs: LOOKUP_DEADLINE_MS,
        notFoundQuorum: NOT_FOUND_QUORUM,
        lastResortQuorum: LAST_RESORT_QUORUM,
      },
      now,
    )
    const result = await driveLookup(core, (peer) => this.fetchFrom(peer, username), this.slow)
    end()
    if (result.kind === 'found') {
      this.replication.readRepair(username, core.notFoundFrom(), result.records)
      return ok(result.records.map((r) => plain(r.bytes)))
    }
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
    const asked = performance.now()
    const answer = await this.ask(peer, { kind: DirectoryKind.Fetch, username, records: [] })
    this.hedge.record(performance.now() - asked)
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

  /** Membership changed from `before` to `after`: re-replicate (coalesced; see Replication.repair). */
  repair(before: Placed[], after: Placed[]): Promise<void> {
    return this.replication.repair(before, after)
  }

  stop(): void {
    this.replication.stop()
  }

  forgetDevice(deviceId: string): void {
    this.home.delete(deviceId)
  }

  private async ask(peer: string, req: DirectoryRequest): Promise<DirectoryResponse> {
    const addrs = this.init.addrsOf(peer)
    if (addrs.length === 0) throw new Error(`no address for ${peer}`)
    // A peer that failed OPEN_AFTER times in a row gets one fetch at a time (slow-peers.ts). Stores are
    // always sent: a live but loaded rank skipped here would miss the record and could later answer a
    // lookup "not found" for a user who is online; the handoff's backoff already spaces their retries.
    const gated = req.kind === DirectoryKind.Fetch
    if (gated && !this.slow.begin(peer)) {
      this.init.metrics.directoryProbeSkips.inc()
      throw new ProbeOutError(peer)
    }
    try {
      const bytes = await request(this.init.node, addrs, Protocols.directory, DirectoryRequest.encode(req), {
        timeoutMs: this.replicaTimeoutMs,
        maxResponseBytes: OverlayLimits.directoryBytes,
      })
      return decodeDirectoryResponse(bytes)
    } finally {
      if (gated) this.slow.end(peer)
    }
  }
}

/** Not sent: the peer failed several times in a row and a probe to it is still out. */
export class ProbeOutError extends Error {
  override name = 'ProbeOutError'
  constructor(peer: string) {
    super(`${peer} is not answering; a probe to it is already out`)
  }
}

function ok(records: Uint8Array<ArrayBuffer>[]): DirectoryResponse {
  return { result: DirectoryResult.Ok, code: '', message: '', records }
}

function busy(message: string): DirectoryResponse {
  return { result: DirectoryResult.Busy, code: ErrorCode.Unavailable, message, records: [] }
}

function refused(code: string, message: string): DirectoryResponse {
  return { result: DirectoryResult.Refused, code, message, records: [] }
}

function answerOf(records: StoredRecord[]): ReplicaAnswer {
  return records.length > 0 ? { kind: 'found', records } : { kind: 'not-found' }
}
