/**
 * A device's calls to the offline store through the supernodes it is
 * attached to: deposit sealed items, fetch what waits for it, acknowledge.
 * One supernode after the other until one answers. A refusal (quota, not
 * allowed) is the same everywhere and is thrown at once; "busy, try later"
 * from every supernode is an OfflineBusyError carrying how long to wait.
 * Answers are decoded with the capped decoders.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { request } from '../net/rpc.js'
import { batches } from '../offline/paging.js'
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

/** A deposit's items per request: the wire cap, less room for what the supernode adds to each. */
const DEPOSIT_LIMITS = { items: ChatLimits.offlineItems, bytes: ChatLimits.offlineBytes - 256 * 1024 }
/** Pages of one fetchAll: it stops at the largest exclude list a request can carry. */
const MAX_PAGES = Math.ceil(ChatLimits.offlineIds / ChatLimits.offlineItems) + 1

export interface OfflineCallOptions {
  signal?: AbortSignal
  /** Per supernode and request, default Deadlines.offlineMs. */
  timeoutMs?: number
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

/** Deposits sealed items (sender and storedAt are set by the supernode); resolves when every batch is held. */
export async function deposit(
  node: Libp2p,
  supernodes: Multiaddr[][],
  items: SealedItem[],
  opts: OfflineCallOptions = {},
): Promise<void> {
  for (const batch of batches(items, (i) => SealedItem.encode(i).byteLength + 8, DEPOSIT_LIMITS))
    await ask(node, supernodes, { ...empty(OfflineKind.Deposit), items: batch }, opts)
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
  opts: OfflineCallOptions = {},
): Promise<SealedItem[]> {
  const out: SealedItem[] = []
  const seen = new Set<string>()
  for (let page = 0; page < MAX_PAGES; page++) {
    const ids = out.map((i) => plain(i.id))
    const answer = await ask(node, supernodes, { ...empty(OfflineKind.Fetch), ids }, opts)
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

/** Acknowledges committed (or unopenable) items: the replicas drop this device's copies. */
export async function ack(
  node: Libp2p,
  supernodes: Multiaddr[][],
  ids: Uint8Array[],
  opts: OfflineCallOptions = {},
): Promise<void> {
  for (let i = 0; i < ids.length; i += ChatLimits.offlineIds) {
    const batch = ids.slice(i, i + ChatLimits.offlineIds).map((id) => new Uint8Array(id))
    await ask(node, supernodes, { ...empty(OfflineKind.Ack), ids: batch }, opts)
  }
}

async function ask(
  node: Libp2p,
  supernodes: Multiaddr[][],
  req: OfflineRequest,
  opts: OfflineCallOptions,
): Promise<OfflineResponse> {
  if (supernodes.length === 0) throw new OfflineStoreError('not_attached', 'not attached to any supernode')
  const payload = OfflineRequest.encode(req)
  let busy: OfflineBusyError | undefined
  let failed: OfflineStoreError | undefined
  for (const addrs of supernodes) {
    opts.signal?.throwIfAborted()
    let answer: OfflineResponse
    try {
      answer = decodeOfflineResponse(
        await request(node, addrs, Protocols.offline, payload, {
          timeoutMs: opts.timeoutMs ?? Deadlines.offlineMs,
          maxResponseBytes: ChatLimits.offlineBytes,
          signal: opts.signal,
        }),
      )
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

function empty(kind: number): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [] }
}
