/**
 * A device's calls to the offline store through the supernodes it is
 * attached to: deposit sealed items, fetch what waits for it, acknowledge.
 * One supernode after the other until one answers. A refusal (quota, not
 * allowed) is the same everywhere and is thrown at once; "busy, try later"
 * from every supernode is an OfflineBusyError carrying how long to wait.
 * Answers are decoded with the capped decoders.
 *
 * Every request carries this device's signature (issue 10, H3): each
 * deposited item its `parley/offline-deposit/1`, each fetch and ack a
 * short-lived `parley/offline-access/1` grant that lets the replicas read
 * or delete this device's copies, and no one else's.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Signer } from '../crypto/keys.js'
import { request } from '../net/rpc.js'
import { ACCESS_TTL_MS, AccessKind, signAccess } from '../offline/access.js'
import { signDeposit, signDepositBatch } from '../offline/deposit.js'
import { batches } from '../offline/paging.js'
import { hasSignedFields, withoutSignedFields } from '../supernode/offline-replicas.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import { plain } from '../wire/bytes.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type OfflineResponse,
  SealedItem,
} from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { DEPOSIT_FIELD_BYTES } from '../wire/offline-signed.js'

/** A deposit's items per request: the wire cap, less room for what the supernode adds to each. */
const DEPOSIT_LIMITS = { items: ChatLimits.offlineItems, bytes: ChatLimits.offlineBytes - 256 * 1024 }
/** Pages of one fetchAll: it stops at the largest exclude list a request can carry. */
const MAX_PAGES = Math.ceil(ChatLimits.offlineIds / ChatLimits.offlineItems) + 1

/** Who this device is: what it signs its deposits and grants with. */
export interface OfflineIdentity {
  username: string
  /** The current certificate (renewed in place). */
  certificate: () => Uint8Array
  signer: Signer
}

export interface OfflineCallOptions {
  signal?: AbortSignal
  /** Per supernode and request, default Deadlines.offlineMs. */
  timeoutMs?: number
  /** The time grants are made at (milliseconds since the epoch); Date.now unless a test says. */
  now?: () => number
}

/** The offline store refused (code: quota_exceeded, unauthorized, …) or no supernode answered (unavailable, not_attached). */
export class OfflineStoreError extends Error {
  override name = 'OfflineStoreError'
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message)
  }
}

/** Every supernode that answered is shedding load: try again after retryAfterMs (code try_later). */
export class OfflineBusyError extends OfflineStoreError {
  override name = 'OfflineBusyError'
}

/**
 * Deposits sealed items, signed by this device (sender and storedAt are set
 * by the replicas); resolves when every batch is held. The items of one
 * request are signed as one batch (deposit.ts); a supernode, or replicas,
 * from before issue 12 cannot verify that and answer deposit_invalid: the
 * request goes again with each item signed alone.
 */
export async function deposit(
  node: Libp2p,
  supernodes: Multiaddr[][],
  me: OfflineIdentity,
  items: SealedItem[],
  opts: OfflineCallOptions = {},
): Promise<void> {
  const certificate = me.certificate()
  const size = (i: SealedItem) => SealedItem.encode(i).byteLength + DEPOSIT_FIELD_BYTES + 8
  for (const group of batches(items, size, DEPOSIT_LIMITS)) {
    const signed = signDepositBatch(group, certificate, me.signer)
    const req = (deposit: (i: SealedItem, k: number) => Uint8Array): OfflineRequest => ({
      ...empty(OfflineKind.Deposit),
      items: group.map((i, k) => ({ ...i, deposit: plain(deposit(i, k)) })),
    })
    await ask(
      node,
      supernodes,
      req((_, k) => signed[k]!),
      opts,
      () => req((i) => signDeposit(i, certificate, me.signer)),
    )
  }
}

/**
 * What waits for this device, oldest first, each item once, with this
 * device's copy only. Pages until the supernode says there is no more, or
 * until 1,024 items (the most one request can list as already had):
 * acknowledge those and call again for the rest.
 */
export async function fetchAll(
  node: Libp2p,
  supernodes: Multiaddr[][],
  me: OfflineIdentity,
  opts: OfflineCallOptions = {},
): Promise<SealedItem[]> {
  const out: SealedItem[] = []
  const seen = new Set<string>()
  // One grant for the whole fetch: it lets the replicas read this device's copies for two minutes.
  const access = accessGrant(me, AccessKind.Take, [], (opts.now ?? Date.now)())
  for (let page = 0; page < MAX_PAGES; page++) {
    const ids = out.map((i) => plain(i.id))
    const answer = await ask(node, supernodes, { ...empty(OfflineKind.Fetch), ids, access }, opts)
    let fresh = 0
    for (const item of answer.items) {
      const key = Buffer.from(item.id).toString('hex')
      if (seen.has(key)) continue
      seen.add(key)
      out.push(item)
      fresh++
    }
    // A page with nothing new means the supernode did not skip what we have: acknowledge, then fetch again.
    if (!answer.more || fresh === 0 || out.length + ChatLimits.offlineItems > ChatLimits.offlineIds) break
  }
  return out
}

/** Acknowledges committed (or unopenable) items: the replicas drop this device's copies, and only those ids. */
export async function ack(
  node: Libp2p,
  supernodes: Multiaddr[][],
  me: OfflineIdentity,
  ids: Uint8Array[],
  opts: OfflineCallOptions = {},
): Promise<void> {
  for (let i = 0; i < ids.length; i += ChatLimits.offlineIds) {
    const batch = ids.slice(i, i + ChatLimits.offlineIds).map((id) => new Uint8Array(id))
    const access = accessGrant(me, AccessKind.Drop, batch, (opts.now ?? Date.now)())
    await ask(node, supernodes, { ...empty(OfflineKind.Ack), ids: batch, access }, opts)
  }
}

/** This device's grant to take or drop its own copies, made at `now`: it expires ACCESS_TTL_MS later. */
export function accessGrant(
  me: OfflineIdentity,
  kind: AccessKind,
  ids: Uint8Array[],
  now: number,
): Uint8Array<ArrayBuffer> {
  const access = signAccess(
    {
      certificate: me.certificate(),
      kind,
      recipient: me.username,
      ids,
      expiresAt: now + ACCESS_TTL_MS,
    },
    me.signer,
  )
  return plain(access)
}

async function ask(
  node: Libp2p,
  supernodes: Multiaddr[][],
  req: OfflineRequest,
  opts: OfflineCallOptions,
  /** The same deposit with each item signed alone, for a supernode that cannot verify batches. */
  alone?: () => OfflineRequest,
): Promise<OfflineResponse> {
  if (supernodes.length === 0) throw new OfflineStoreError('not_attached', 'not attached to any supernode')
  let busy: OfflineBusyError | undefined
  let failed: OfflineStoreError | undefined
  for (const addrs of supernodes) {
    opts.signal?.throwIfAborted()
    let answer: OfflineResponse
    try {
      answer = await askOne(node, addrs, req, opts)
      // A supernode older than signed deposits and grants refuses their fields (canonical decoding): it
      // checks neither, so ask it again without them. A new one never answers a well-formed request so.
      if (
        answer.result === OfflineResult.Refused &&
        answer.code === ErrorCode.Malformed &&
        hasSignedFields(req)
      )
        answer = await askOne(node, addrs, withoutSignedFields(req), opts)
      if (answer.result === OfflineResult.Refused && answer.code === ErrorCode.DepositInvalid && alone)
        answer = await askOne(node, addrs, alone(), opts)
    } catch (err) {
      failed = new OfflineStoreError(ErrorCode.Unavailable, (err as Error).message)
      continue
    }
    if (answer.result === OfflineResult.Ok) return answer
    if (answer.result === OfflineResult.Busy) {
      const retryAfterMs = Math.max(busy?.retryAfterMs ?? 0, answer.retryAfterMs)
      busy = new OfflineBusyError(answer.code || ErrorCode.TryLater, answer.message || 'busy', retryAfterMs)
      continue
    }
    throw new OfflineStoreError(answer.code || ErrorCode.Internal, answer.message || 'refused')
  }
  throw busy ?? failed ?? new OfflineStoreError(ErrorCode.Unavailable, 'no supernode answered')
}

async function askOne(
  node: Libp2p,
  addrs: Multiaddr[],
  req: OfflineRequest,
  opts: OfflineCallOptions,
): Promise<OfflineResponse> {
  return decodeOfflineResponse(
    await request(node, addrs, Protocols.offline, OfflineRequest.encode(req), {
      timeoutMs: opts.timeoutMs ?? Deadlines.offlineMs,
      maxResponseBytes: ChatLimits.offlineBytes,
      signal: opts.signal,
    }),
  )
}

function empty(kind: number): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [], access: new Uint8Array(0) }
}
