/**
 * The offline store on a supernode, `/parley/offline/1.0.0`. Devices attached
 * here deposit sealed items for a user with no device online, fetch what
 * waits for them, and acknowledge it; this supernode carries each request to
 * the recipient's R directory replicas (the same weighted rendezvous
 * placement as presence records) with store, take and drop. Items are opaque
 * here: sealed by the sender to each recipient device.
 *
 * December 2010 began with offline-message servers that answered late. So:
 * a bounded number of requests is in progress at once and the rest are
 * answered busy at once, with a time to retry (never queued); no replica holds
 * a request past a short timeout; and any input ends in an answer or in that
 * one stream failing, never in the process failing.
 *
 * And since a supernode may go rogue (issue 10, H3), a replica believes no
 * other supernode about whose items these are: a take or a drop needs the
 * recipient device's signed grant, a store needs each item's depositing
 * device's signature and a recipient this node replicates (admit.ts). The
 * device side (deposit, fetch, ack) is offline-devices.ts.
 */
import type { Connection } from '@libp2p/interface'
import type { Placed } from '../placement/placement.js'
import type { Logger } from '../log/logger.js'
import { AccessKind, verifyAccess } from '../offline/access.js'
import { admitStore } from '../offline/admit.js'
import { OfflineAuthError } from '../offline/errors.js'
import { Shedder, type Lane, type ShedderOptions } from '../offline/shed.js'
import type { OfflineStore } from '../offline/store.js'
import type { OfflineItem } from '../offline/types.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { WireDecodeError } from '../wire/decode.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  decodeOfflineRequest,
  OfflineKind,
  type OfflineRequest,
  OfflineResponse,
  OfflineResult,
} from '../wire/chat.js'
import { REPLICAS } from './directory-service.js'
import type { SupernodeMetrics } from './metrics.js'
import { ok, refused } from './offline-answers.js'
import { OfflineDevices } from './offline-devices.js'
import { OfflinePlacement } from './offline-placement.js'
import { fromWire, toAnswer, type AskReplica } from './offline-replicas.js'
import { OfflineRepair } from './offline-repair.js'
import { OfflineWrites } from './offline-writes.js'
import { Deadlines } from './protocols.js'

export interface OfflineServiceInit {
  self: string
  store: OfflineStore
  /** Attached here: devices may deposit, fetch and acknowledge. */
  isAttached: (peerId: string) => boolean
  /** The username of an attached device (from its certificate). */
  usernameOf: (deviceId: string) => string | undefined
  /** A live supernode: may store, take and drop. */
  isMember: (peerId: string) => boolean
  /** Live supernodes with their placement weight. */
  members: () => Placed[]
  ask: AskReplica
  /** Certificate checks at a given time: the network key and id, and the current revocations. */
  verifyOptions: (now: number) => VerifyCertificateOptions
  metrics: SupernodeMetrics
  log: Logger
  /** How long a fetch waits on one replica (default Deadlines.replicaMs). */
  replicaTimeoutMs?: number
  shed?: ShedderOptions
  /** Where retry-after jitter comes from (default Math.random). */
  random?: () => number
}

const KIND_NAMES: Record<number, string> = {
  [OfflineKind.Deposit]: 'deposit',
  [OfflineKind.Fetch]: 'fetch',
  [OfflineKind.Ack]: 'ack',
  [OfflineKind.Store]: 'store',
  [OfflineKind.Take]: 'take',
  [OfflineKind.Drop]: 'drop',
}
const DEVICE_KINDS = new Set<number>([OfflineKind.Deposit, OfflineKind.Fetch, OfflineKind.Ack])
const EXPIRE_EVERY_MS = 3600_000
/** A full store frees room only as recipients fetch or items expire: ask depositors back in 30–60 s. */
export const FULL_RETRY_AFTER_MS = 30_000

export class OfflineService {
  readonly shedder: Shedder
  readonly repair: OfflineRepair
  /** When this node first ran with signed deposits (persisted in its store): see admit.ts. */
  readonly signedSince: number
  private readonly devices: OfflineDevices
  private readonly writes: OfflineWrites
  private readonly placement: OfflinePlacement
  private readonly random: () => number
  private expireTimer: NodeJS.Timeout | undefined
  private wasFull = false

  constructor(private readonly init: OfflineServiceInit) {
    this.shedder = new Shedder(init.shed)
    this.random = init.random ?? Math.random
    this.repair = new OfflineRepair({ ...init, r: REPLICAS })
    this.signedSince = init.store.signedSince(Date.now())
    this.writes = new OfflineWrites(init.store)
    this.placement = new OfflinePlacement(init.members)
    this.devices = new OfflineDevices({
      ...init,
      placement: this.placement,
      local: (req) => Promise.resolve(this.dispatch(req, init.self)),
      localStore: (items) => this.store(items.map(fromWire), init.self, Date.now(), true),
      busy: (message) => this.busy(message),
      full: () => this.full(),
      replicaTimeoutMs: init.replicaTimeoutMs ?? Deadlines.replicaMs,
      fill: (peer, items, busyRetryAfterMs) => void this.repair.fill(peer, items, busyRetryAfterMs),
    })
    init.metrics.offlineItems.set(init.store.count)
  }

  /** Expires old items now and every hour. */
  start(): void {
    this.expire()
    this.expireTimer = setInterval(() => this.expire(), EXPIRE_EVERY_MS)
    this.expireTimer.unref()
  }

  stop(): void {
    clearInterval(this.expireTimer)
    this.repair.stop()
  }

  handle(payload: Uint8Array, connection: Connection): Promise<Uint8Array> {
    return this.answer(payload, connection.remotePeer.toString())
  }

  /** One request from `from`, one encoded answer. Throws only what should end the stream. */
  async answer(payload: Uint8Array, from: string): Promise<Uint8Array> {
    let req: OfflineRequest
    try {
      req = decodeOfflineRequest(payload)
    } catch (err) {
      if (!(err instanceof WireDecodeError)) throw err
      this.count('unknown', err.code)
      return OfflineResponse.encode(refused(err.code, err.message))
    }
    const kind = KIND_NAMES[req.kind] ?? 'unknown'
    const lane: Lane = DEVICE_KINDS.has(req.kind) ? 'device' : 'replica'
    const allowed = lane === 'device' ? this.init.isAttached(from) : this.init.isMember(from)
    let res: OfflineResponse
    if (!allowed) {
      res = refused(
        ErrorCode.Unauthorized,
        lane === 'device' ? 'attach before using the offline store' : 'only supernodes may do this',
      )
    } else if (!this.shedder.tryEnter(lane)) {
      this.init.metrics.offlineShed.inc({ lane })
      res = this.busy('too many offline requests in progress')
    } else {
      try {
        res = await this.dispatch(req, from)
      } finally {
        this.shedder.leave()
      }
    }
    this.count(
      kind,
      res.result === OfflineResult.Ok ? 'ok' : res.result === OfflineResult.Busy ? 'busy' : res.code,
    )
    this.init.metrics.offlineItems.set(this.init.store.count)
    if (this.wasFull && this.init.store.bytes < this.init.store.quotas.storeBytes * 0.9) this.wasFull = false
    return OfflineResponse.encode(res)
  }

  private dispatch(req: OfflineRequest, from: string): Promise<OfflineResponse> | OfflineResponse {
    const { store } = this.init
    const now = Date.now()
    switch (req.kind) {
      case OfflineKind.Deposit:
        return this.devices.deposit(req.items, from)
      case OfflineKind.Fetch:
        return this.devices.fetch(req, from)
      case OfflineKind.Ack:
        return this.devices.ack(req, from)
      case OfflineKind.Store:
        return this.store(req.items.map(fromWire), from, now)
      case OfflineKind.Take: {
        const denied = this.denied(req, AccessKind.Take, now)
        if (denied !== undefined) return denied
        const taken = store.take(req.recipient, req.deviceId, now, { exclude: req.ids })
        return { ...ok(), items: taken.items.map(toAnswer), more: taken.more }
      }
      case OfflineKind.Drop: {
        const denied = this.denied(req, AccessKind.Drop, now)
        if (denied !== undefined) return denied
        store.drop(req.recipient, req.deviceId, req.ids)
        return ok()
      }
      default:
        return refused(ErrorCode.Malformed, 'unknown request')
    }
  }

  /**
   * A store from `from` (another supernode, or this one): only what admit.ts lets in is kept.
   * `verifiedHere`: items this node's deposit path has just verified (admit.ts).
   */
  private async store(
    items: OfflineItem[],
    from: string,
    now: number,
    verifiedHere = false,
  ): Promise<OfflineResponse> {
    const { store, self, verifyOptions } = this.init
    // Placement ranks every member: once per recipient and membership, not once per item.
    const placement = this.placement.now()
    const near = (peer: string, recipient: string): boolean =>
      placement.replicasFor(recipient, REPLICAS + 1).includes(peer)
    const admitted = admitStore(items, {
      now,
      verifyOptions,
      signedSince: this.signedSince,
      replicates: (recipient) => near(self, recipient),
      pusherReplicates: (recipient) => near(from, recipient),
      isHeld: (recipient, id) => store.has(recipient, id),
      verifiedHere,
    })
    // Committed with the other stores of this turn, answered once on disk (offline-writes.ts).
    if (admitted.items.length > 0) {
      const put = await this.writes.put(admitted.items)
      if (!put.ok && put.code === 'store_full') return this.full()
      if (!put.ok) return refused(ErrorCode.QuotaExceeded, `offline quota full (${put.breach})`)
    }
    const bad = admitted.refused
    if (bad === undefined) return ok()
    // Counted by code in parley_supernode_offline_requests_total, not logged: a rogue could flood the log.
    return refused(bad.code, `${bad.count} of ${items.length} items refused: ${bad.message}`)
  }

  /** Take and drop: only with the grant of the device whose copies they are (access.ts). */
  private denied(req: OfflineRequest, kind: AccessKind, now: number): OfflineResponse | undefined {
    try {
      verifyAccess(
        req.access,
        { kind, recipient: req.recipient, deviceId: req.deviceId, ids: req.ids },
        this.init.verifyOptions(now),
      )
      return undefined
    } catch (err) {
      if (err instanceof OfflineAuthError) return refused(err.code, err.message)
      throw err
    }
  }

  private expire(): void {
    try {
      const removed = this.init.store.expire(Date.now())
      if (removed > 0) this.init.log.info({ removed }, 'offline items expired')
      this.init.metrics.offlineItems.set(this.init.store.count)
    } catch (err) {
      this.init.log.warn({ err: (err as Error).message }, 'offline expiry failed')
    }
  }

  /**
   * The store holds its byte cap: busy, not refused, so the depositing device keeps the item
   * queued and tries again once items have left (fetched or expired). Logged once per cap reached.
   */
  private full(): OfflineResponse {
    if (!this.wasFull)
      this.init.log.warn({ bytes: this.init.store.bytes }, 'offline store full: deposits shed')
    this.wasFull = true
    return {
      ...refused(ErrorCode.StoreFull, 'this offline store is full: try again later'),
      result: OfflineResult.Busy,
      retryAfterMs: Math.round(FULL_RETRY_AFTER_MS * (1 + Math.min(Math.max(this.random(), 0), 0.999))),
    }
  }

  private busy(message: string): OfflineResponse {
    return {
      ...refused(ErrorCode.TryLater, message),
      result: OfflineResult.Busy,
      retryAfterMs: this.shedder.retryAfter(this.random()),
    }
  }

  private count(kind: string, result: string): void {
    this.init.metrics.offline.inc({ kind, result })
  }
}
