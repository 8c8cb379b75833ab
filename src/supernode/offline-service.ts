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
 */
import type { Connection } from '@libp2p/interface'
import { replicasFor, type Placed } from '../directory/placement.js'
import type { Logger } from '../log/logger.js'
import { pageLength } from '../offline/paging.js'
import { Shedder, type Lane, type ShedderOptions } from '../offline/shed.js'
import { DEFAULT_PAGE, type OfflineStore } from '../offline/store.js'
import { hexId, itemBytes, type OfflineItem } from '../offline/types.js'
import { WireDecodeError } from '../wire/decode.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  decodeOfflineRequest,
  OfflineKind,
  type OfflineRequest,
  OfflineResponse,
  OfflineResult,
  type SealedItem,
} from '../wire/chat.js'
import { REPLICAS } from './directory-service.js'
import type { SupernodeMetrics } from './metrics.js'
import { fromWire, gather, requestBatches, toWire, type AskReplica } from './offline-replicas.js'
import { OfflineRepair } from './offline-repair.js'
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
/** A deposit answered ok once one replica holds it; the others get this much longer to say so too. */
const STORE_GRACE_MS = 250
const EXPIRE_EVERY_MS = 3600_000

type StoreOutcome = 'ok' | 'quota'

export class OfflineService {
  readonly shedder: Shedder
  readonly repair: OfflineRepair
  private readonly replicaTimeoutMs: number
  private readonly random: () => number
  private expireTimer: NodeJS.Timeout | undefined

  constructor(private readonly init: OfflineServiceInit) {
    this.shedder = new Shedder(init.shed)
    this.replicaTimeoutMs = init.replicaTimeoutMs ?? Deadlines.replicaMs
    this.random = init.random ?? Math.random
    this.repair = new OfflineRepair({ ...init, r: REPLICAS })
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
    return OfflineResponse.encode(res)
  }

  private dispatch(req: OfflineRequest, from: string): Promise<OfflineResponse> | OfflineResponse {
    const { store } = this.init
    const now = Date.now()
    switch (req.kind) {
      case OfflineKind.Deposit:
        return this.deposit(req.items, from)
      case OfflineKind.Fetch:
        return this.fetch(req, from)
      case OfflineKind.Ack:
        return this.ack(req, from)
      case OfflineKind.Store: {
        const put = store.put(req.items.map(fromWire), now)
        return put.ok ? ok() : refused(ErrorCode.QuotaExceeded, `offline quota full (${put.breach})`)
      }
      case OfflineKind.Take: {
        const taken = store.take(req.recipient, req.deviceId, now, { exclude: req.ids })
        return { ...ok(), items: taken.items.map(toWire), more: taken.more }
      }
      case OfflineKind.Drop:
        store.drop(req.recipient, req.deviceId, req.ids)
        return ok()
      default:
        return refused(ErrorCode.Malformed, 'unknown request')
    }
  }

  private async deposit(items: SealedItem[], from: string): Promise<OfflineResponse> {
    const sender = this.init.usernameOf(from)
    if (sender === undefined) return refused(ErrorCode.Unauthorized, 'attach before depositing')
    if (items.length === 0) return refused(ErrorCode.InvalidField, 'nothing to deposit')
    // The sender is who the certificate says, and retention counts from now, whatever the device wrote.
    const storedAt = BigInt(Date.now())
    const byRecipient = new Map<string, SealedItem[]>()
    for (const item of items) {
      const group = byRecipient.get(item.recipient) ?? []
      group.push({ ...item, sender, storedAt })
      byRecipient.set(item.recipient, group)
    }
    const outcomes = await Promise.all([...byRecipient].map(([to, group]) => this.replicate(to, group)))
    if (outcomes.every((o) => o === 'ok')) return ok()
    if (outcomes.includes('quota'))
      return refused(ErrorCode.QuotaExceeded, 'the offline quota of the recipient or the sender is full')
    return this.busy('no replica of the recipient could store the items')
  }

  /** Stores on every replica of `recipient` at once: ok when one holds them all, quota when all that answered are full. */
  private async replicate(recipient: string, items: SealedItem[]): Promise<StoreOutcome | 'busy'> {
    const replicas = replicasFor(recipient, this.init.members(), REPLICAS)
    const result = await gather<StoreOutcome>(
      { replicas, attemptTimeoutMs: Deadlines.offlineStoreMs, graceMs: STORE_GRACE_MS },
      (peer) => this.storeOn(peer, items),
    )
    if (result.kind === 'failed') return 'busy'
    return result.answers.some((a) => a.value === 'ok') ? 'ok' : 'quota'
  }

  private async storeOn(peer: string, items: SealedItem[]): Promise<{ kind: 'ok'; value: StoreOutcome }> {
    if (peer === this.init.self) {
      const put = this.init.store.put(items.map(fromWire), Date.now())
      return { kind: 'ok', value: put.ok ? 'ok' : 'quota' }
    }
    for (const batch of requestBatches(items)) {
      const res = await this.init.ask(peer, storeRequest(batch), Deadlines.offlineStoreMs)
      if (res.result === OfflineResult.Refused && res.code === ErrorCode.QuotaExceeded)
        return { kind: 'ok', value: 'quota' }
      if (res.result !== OfflineResult.Ok) throw new Error(`store refused: ${res.code}`)
    }
    return { kind: 'ok', value: 'ok' }
  }

  private async fetch(req: OfflineRequest, from: string): Promise<OfflineResponse> {
    const username = this.init.usernameOf(from)
    if (username === undefined) return refused(ErrorCode.Unauthorized, 'attach before fetching')
    if (
      (req.recipient !== '' && req.recipient !== username) ||
      (req.deviceId !== '' && req.deviceId !== from)
    )
      return refused(ErrorCode.Unauthorized, 'a device fetches only its own items')
    const take = { ...empty(OfflineKind.Take), recipient: username, deviceId: from, ids: req.ids }
    const result = await gather<OfflineResponse>(
      {
        replicas: replicasFor(username, this.init.members(), REPLICAS),
        attemptTimeoutMs: this.replicaTimeoutMs,
      },
      async (peer) => {
        const res =
          peer === this.init.self
            ? await this.dispatch(take, peer)
            : await this.init.ask(peer, take, this.replicaTimeoutMs)
        return res.result === OfflineResult.Ok ? { kind: 'ok', value: res } : { kind: 'error' }
      },
    )
    if (result.kind === 'failed') return this.busy('no replica of your items answered')
    // The union of what the replicas hold: one may have missed a deposit, another an ack.
    const merged = new Map<string, OfflineItem>()
    let more = false
    for (const { value } of result.answers) {
      more ||= value.more
      for (const wire of value.items) {
        const item = fromWire(wire)
        const copy = item.copies.find((c) => c.deviceId === from)
        // A confused or hostile replica's items for someone else are not passed on.
        if (item.recipient !== username || copy === undefined) continue
        merged.set(hexId(item.id), { ...item, copies: [copy] })
      }
    }
    const sorted = [...merged.values()].sort((a, b) => a.storedAt - b.storedAt || compareBytes(a.id, b.id))
    const n = pageLength(sorted.map(itemBytes), DEFAULT_PAGE)
    return { ...ok(), items: sorted.slice(0, n).map(toWire), more: more || sorted.length > n }
  }

  private async ack(req: OfflineRequest, from: string): Promise<OfflineResponse> {
    const username = this.init.usernameOf(from)
    if (username === undefined) return refused(ErrorCode.Unauthorized, 'attach before acknowledging')
    if (
      (req.recipient !== '' && req.recipient !== username) ||
      (req.deviceId !== '' && req.deviceId !== from)
    )
      return refused(ErrorCode.Unauthorized, 'a device acknowledges only its own items')
    if (req.ids.length === 0) return ok()
    const drop = { ...empty(OfflineKind.Drop), recipient: username, deviceId: from, ids: req.ids }
    const result = await gather<true>(
      {
        replicas: replicasFor(username, this.init.members(), REPLICAS),
        attemptTimeoutMs: Deadlines.offlineStoreMs,
        graceMs: STORE_GRACE_MS,
      },
      async (peer) => {
        const res =
          peer === this.init.self
            ? await this.dispatch(drop, peer)
            : await this.init.ask(peer, drop, Deadlines.offlineStoreMs)
        return res.result === OfflineResult.Ok ? { kind: 'ok', value: true } : { kind: 'error' }
      },
    )
    // A replica that missed the drop serves the items again: the device commits them once and acks again.
    return result.kind === 'done' ? ok() : this.busy('no replica of your items answered')
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

function empty(kind: number): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [] }
}

function storeRequest(items: SealedItem[]): OfflineRequest {
  return { ...empty(OfflineKind.Store), items }
}

function ok(): OfflineResponse {
  return { result: OfflineResult.Ok, code: '', message: '', items: [], more: false, retryAfterMs: 0 }
}

function refused(code: string, message: string): OfflineResponse {
  // The capped decoders take at most 512 characters of message.
  return {
    result: OfflineResult.Refused,
    code,
    message: message.slice(0, 500),
    items: [],
    more: false,
    retryAfterMs: 0,
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
