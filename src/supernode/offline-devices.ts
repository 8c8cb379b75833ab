/**
 * The offline store's device side on a supernode: deposit, fetch and ack from
 * devices attached here, each carried to the recipient's R replicas at once
 * (store, take, drop) and decided by the Gather core.
 *
 * Every request carries the device's own signature, checked here against the
 * attached device and checked again by every replica (issue 10, H3): each
 * deposited item its `parley/offline-deposit/1`, each fetch and ack a
 * `parley/offline-access/1` grant, forwarded unchanged in the take or drop.
 * This supernode adds only what replicas do not believe anyway (sender,
 * storedAt), so a rogue supernode in its place gains nothing by lying.
 */
import { AccessKind, verifyAccess } from '../offline/access.js'
import { DepositVerifier } from '../offline/deposit-verifier.js'
import { OfflineAuthError } from '../offline/errors.js'
import { pageLength } from '../offline/paging.js'
import { DEFAULT_PAGE } from '../offline/store.js'
import { hexId, itemBytes, type OfflineItem } from '../offline/types.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  OfflineKind,
  type OfflineRequest,
  type OfflineResponse,
  OfflineResult,
  type SealedItem,
} from '../wire/chat.js'
import { REPLICAS } from './directory-service.js'
import { emptyRequest, ok, refused } from './offline-answers.js'
import type { OfflinePlacement } from './offline-placement.js'
import { fromWire, gather, requestBatches, toAnswer, type AskReplica } from './offline-replicas.js'
import { Deadlines } from './protocols.js'

export interface OfflineDevicesInit {
  self: string
  /** The username of an attached device (from its certificate). */
  usernameOf: (deviceId: string) => string | undefined
  /** Where each recipient's replicas are, by this node's view of membership. */
  placement: OfflinePlacement
  ask: AskReplica
  verifyOptions: (now: number) => VerifyCertificateOptions
  /** This node's own replica side: a request it would answer for another supernode. */
  local: (req: OfflineRequest) => Promise<OfflineResponse>
  /** This node's own replica side storing items whose deposits deposit() has just verified. */
  localStore: (items: SealedItem[]) => Promise<OfflineResponse>
  busy: (message: string) => OfflineResponse
  /** The answer when every replica that answered is at its byte cap (store_full, busy with a retry time). */
  full: () => OfflineResponse
  replicaTimeoutMs: number
  /**
   * Pushes items again, with retries, to a replica whose store of a confirmed deposit failed;
   * `busyRetryAfterMs` when it answered busy, waited before the first push. Never throws.
   */
  fill: (peer: string, items: SealedItem[], busyRetryAfterMs?: number) => void
}

/** A deposit answered ok once one replica holds it; the others get this much longer to say so too. */
const STORE_GRACE_MS = 250

/** A replica answered a store busy (shedding): its retry time is what a fill waits first. */
class ReplicaBusyError extends Error {
  override name = 'ReplicaBusyError'
  constructor(
    readonly code: string,
    readonly retryAfterMs: number,
  ) {
    super(`store answered busy: ${code}`)
  }
}

/** quota: a user's quota is full (refused); full: the replica's whole store is (busy, try later). */
type StoreOutcome = 'ok' | 'quota' | 'full' | 'invalid'

export class OfflineDevices {
  constructor(private readonly init: OfflineDevicesInit) {}

  async deposit(items: SealedItem[], from: string): Promise<OfflineResponse> {
    const sender = this.init.usernameOf(from)
    if (sender === undefined) return refused(ErrorCode.Unauthorized, 'attach before depositing')
    if (items.length === 0) return refused(ErrorCode.InvalidField, 'nothing to deposit')
    const now = Date.now()
    // One batch's root and certificate verified once for all its items (deposit-verifier.ts).
    const verifier = new DepositVerifier(this.init.verifyOptions)
    // Retention counts from now, whatever the device wrote; replicas take the sender from the signature.
    const storedAt = BigInt(now)
    const byRecipient = new Map<string, SealedItem[]>()
    for (const item of items) {
      if (item.deposit.byteLength === 0)
        return refused(ErrorCode.DepositUnsigned, 'sign each item (parley/offline-deposit/1)')
      try {
        const by = verifier.verify(item, item.deposit, now)
        if (by.deviceId !== from || by.username !== sender)
          return refused(ErrorCode.DepositInvalid, 'an item is signed by another device than yours')
      } catch (err) {
        if (err instanceof OfflineAuthError) return refused(err.code, err.message)
        throw err
      }
      const group = byRecipient.get(item.recipient) ?? []
      group.push({ ...item, sender, storedAt })
      byRecipient.set(item.recipient, group)
    }
    const outcomes = await this.replicate(byRecipient)
    if (outcomes.every((o) => o === 'ok')) return ok()
    if (outcomes.includes('quota'))
      return refused(ErrorCode.QuotaExceeded, 'the offline quota of the recipient or the sender is full')
    if (outcomes.includes('full')) return this.init.full()
    // Replicas from before issue 12 cannot verify batch-signed deposits: the device signs each alone.
    if (outcomes.includes('invalid'))
      return refused(ErrorCode.DepositInvalid, 'no replica could verify the batch-signed deposits')
    return this.init.busy('no replica of the recipient could store the items')
  }

  async fetch(req: OfflineRequest, from: string): Promise<OfflineResponse> {
    const username = this.mine(req, from)
    if (typeof username !== 'string') return username
    const denied = this.checkAccess(req.access, { kind: AccessKind.Take, recipient: username, from, ids: [] })
    if (denied !== undefined) return denied
    const take = {
      ...emptyRequest(OfflineKind.Take),
      recipient: username,
      deviceId: from,
      ids: req.ids,
      access: req.access,
    }
    const result = await gather<OfflineResponse>(
      { replicas: this.replicas(username), attemptTimeoutMs: this.init.replicaTimeoutMs },
      async (peer) => {
        const res = await this.send(peer, take, this.init.replicaTimeoutMs)
        return res.result === OfflineResult.Ok ? { kind: 'ok', value: res } : { kind: 'error' }
      },
    )
    if (result.kind === 'failed') return this.init.busy('no replica of your items answered')
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
    return { ...ok(), items: sorted.slice(0, n).map(toAnswer), more: more || sorted.length > n }
  }

  async ack(req: OfflineRequest, from: string): Promise<OfflineResponse> {
    const username = this.mine(req, from)
    if (typeof username !== 'string') return username
    if (req.ids.length === 0) return ok()
    const denied = this.checkAccess(req.access, {
      kind: AccessKind.Drop,
      recipient: username,
      from,
      ids: req.ids,
    })
    if (denied !== undefined) return denied
    const drop = {
      ...emptyRequest(OfflineKind.Drop),
      recipient: username,
      deviceId: from,
      ids: req.ids,
      access: req.access,
    }
    const result = await gather<true>(
      {
        replicas: this.replicas(username),
        attemptTimeoutMs: Deadlines.offlineStoreMs,
        graceMs: STORE_GRACE_MS,
      },
      async (peer) => {
        const res = await this.send(peer, drop, Deadlines.offlineStoreMs)
        return res.result === OfflineResult.Ok ? { kind: 'ok', value: true } : { kind: 'error' }
      },
    )
    // A replica that missed the drop serves the items again: the device commits them once and acks again.
    return result.kind === 'done' ? ok() : this.init.busy('no replica of your items answered')
  }

  /** The attached device's username, or the refusal: a device reads and deletes only its own copies. */
  private mine(req: OfflineRequest, from: string): string | OfflineResponse {
    const username = this.init.usernameOf(from)
    if (username === undefined)
      return refused(ErrorCode.Unauthorized, 'attach before using the offline store')
    if (
      (req.recipient !== '' && req.recipient !== username) ||
      (req.deviceId !== '' && req.deviceId !== from)
    )
      return refused(ErrorCode.Unauthorized, 'a device reads and acknowledges only its own items')
    return username
  }

  /** The grant must be the attached device's own, for this request: checked here before any replica is asked. */
  private checkAccess(
    grant: Uint8Array,
    want: { kind: AccessKind; recipient: string; from: string; ids: Uint8Array[] },
  ): OfflineResponse | undefined {
    try {
      verifyAccess(
        grant,
        { kind: want.kind, recipient: want.recipient, deviceId: want.from, ids: want.ids },
        this.init.verifyOptions(Date.now()),
      )
      return undefined
    } catch (err) {
      if (err instanceof OfflineAuthError) return refused(err.code, err.message)
      throw err
    }
  }

  /**
   * Stores each recipient's items on its replicas: one store request to each
   * replica with every item it holds for this deposit, not one per recipient
   * (a deposit of 64 items for 16 recipients was 48 requests and 48 SQLite
   * transactions; profile in docs/offline.md). Each recipient is still
   * decided on its own replicas' answers by its own Gather: ok when one holds
   * them, else quota or full as they answered. A replica that refuses the
   * whole request (one recipient's quota, or a recipient it does not
   * replicate by its view) is asked again for each recipient alone, so no
   * recipient's outcome depends on another's items.
   */
  private replicate(byRecipient: Map<string, SealedItem[]>): Promise<Array<StoreOutcome | 'busy'>> {
    const placement = this.init.placement.now()
    const placed = [...byRecipient].map(([to, items]) => ({
      items,
      replicas: placement.replicasFor(to, REPLICAS),
    }))
    const perPeer = new Map<string, SealedItem[]>()
    for (const { items, replicas } of placed)
      for (const peer of new Set(replicas)) {
        const list = perPeer.get(peer) ?? []
        list.push(...items)
        perPeer.set(peer, list)
      }
    const asked = new Map<string, Promise<StoreOutcome | 'refused'>>()
    const together = (peer: string): Promise<StoreOutcome | 'refused'> => {
      let p = asked.get(peer)
      if (p === undefined) asked.set(peer, (p = this.storeOn(peer, perPeer.get(peer)!)))
      return p
    }
    return Promise.all(
      placed.map(async ({ items, replicas }) => {
        const attempts = new Map<string, Promise<StoreOutcome | 'refused'>>()
        const attempt = (peer: string): Promise<StoreOutcome | 'refused'> => {
          let p = attempts.get(peer)
          if (p === undefined) {
            p = together(peer).then((value) =>
              value !== 'ok' && perPeer.get(peer)!.length > items.length ? this.storeOn(peer, items) : value,
            )
            attempts.set(peer, p)
          }
          return p
        }
        const result = await gather<StoreOutcome>(
          { replicas, attemptTimeoutMs: Deadlines.offlineStoreMs, graceMs: STORE_GRACE_MS },
          async (peer) => {
            const value = await attempt(peer)
            if (value === 'refused') throw new Error('store refused')
            return { kind: 'ok', value }
          },
        )
        if (result.kind === 'failed') return 'busy'
        const values = result.answers.map((a) => a.value)
        if (values.includes('ok')) {
          for (const peer of new Set(replicas)) void this.fillIfMissed(peer, items, attempt(peer))
          return 'ok'
        }
        return values.includes('quota') ? 'quota' : values.includes('full') ? 'full' : 'invalid'
      }),
    )
  }

  /**
   * A confirmed deposit is held by one replica at least; a replica whose store
   * failed (unreachable, busy, timed out, its view of placement behind) gets
   * the items pushed again with repair's retries, rather than only at the next
   * membership change: a confirmed item should be on its R replicas.
   * Refusals that retrying cannot change (quota, full, invalid) are left.
   */
  private async fillIfMissed(
    peer: string,
    items: SealedItem[],
    attempt: Promise<StoreOutcome | 'refused'>,
  ): Promise<void> {
    if (peer === this.init.self) return
    let outcome: StoreOutcome | 'refused' | 'failed'
    try {
      outcome = await attempt
    } catch (err) {
      // Busy is shedding: pushing again at once would add to the load it sheds. Wait what it asked.
      if (err instanceof ReplicaBusyError) return this.init.fill(peer, items, err.retryAfterMs)
      outcome = 'failed'
    }
    if (outcome === 'refused' || outcome === 'failed') this.init.fill(peer, items)
  }

  /** One replica's answer to storing `items`: a refusal other than quota or invalid is 'refused'; busy throws. */
  private async storeOn(peer: string, items: SealedItem[]): Promise<StoreOutcome | 'refused'> {
    for (const batch of requestBatches(items)) {
      // This node's own replica side does not verify again what deposit() verified.
      const res =
        peer === this.init.self
          ? await this.init.localStore(batch)
          : await this.init.ask(
              peer,
              { ...emptyRequest(OfflineKind.Store), items: batch },
              Deadlines.offlineStoreMs,
            )
      if (res.result === OfflineResult.Refused && res.code === ErrorCode.QuotaExceeded) return 'quota'
      if (res.result === OfflineResult.Busy && res.code === ErrorCode.StoreFull) return 'full'
      if (res.result === OfflineResult.Refused && res.code === ErrorCode.DepositInvalid) return 'invalid'
      if (res.result === OfflineResult.Refused) return 'refused'
      if (res.result !== OfflineResult.Ok) throw new ReplicaBusyError(res.code, res.retryAfterMs)
    }
    return 'ok'
  }

  /** To a replica, or to this node's own replica side when it is one: the same checks either way. */
  private send(peer: string, req: OfflineRequest, timeoutMs: number): Promise<OfflineResponse> {
    return peer === this.init.self ? this.init.local(req) : this.init.ask(peer, req, timeoutMs)
  }

  private replicas(username: string): string[] {
    return this.init.placement.now().replicasFor(username, REPLICAS)
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
