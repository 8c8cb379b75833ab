/**
 * The directory on a supernode. Devices publish through the supernodes they
 * are attached to and look up through them; each username's records live on
 * R replicas chosen by weighted rendezvous hashing over the live supernodes,
 * and a lookup is answered from them in one hop, hedged so that no dead or
 * frozen replica holds it up past a short timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Admission } from '../attach/admission.js'
import { Lookup, type ReplicaAnswer } from '../directory/lookup.js'
import { Placement, placedKey, type Placed } from '../directory/placement.js'
import { RecordStore, type StoredRecord } from '../directory/records.js'
import { planRepair } from '../directory/repair.js'
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
  private placement: { key: string; placement: Placement } | undefined
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

  /** The replicas of a username under the current membership; one Placement per membership. */
  private replicasOf(username: string): string[] {
    const members = this.init.members()
    const key = members.map(placedKey).join('\u0001')
    if (this.placement?.key !== key)
      this.placement = { key, placement: new Placement(members, { cacheSize: PLACEMENT_CACHE }) }
    return this.placement.placement.replicasFor(username, REPLICAS)
  }

  /** Puts the record on its replicas (all of them, or only `to`); returns how many hold it. */
  private async replicate(record: StoredRecord, to?: string[]): Promise<number> {
    const replicas = to ?? this.replicasOf(record.username)
    const results = await Promise.all(
      replicas.map(async (peer) => {
        if (peer === this.init.self) return this.store.put(record, Date.now()) !== 'full'
        return this.pushTo(peer, [record])
      }),
    )
    return results.filter(Boolean).length
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
    const replicas = this.replicasOf(username)
    const core = new Lookup({ replicas, username, attemptTimeoutMs: this.replicaTimeoutMs }, Date.now())
    const result = await driveLookup(core, (peer) => this.fetchFrom(peer, username))
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
      r: REPLICAS,
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
        const old = new Set(was.replicasFor(r.username, REPLICAS))
        const gained = is.replicasFor(r.username, REPLICAS).filter((p) => !old.has(p))
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
