/**
 * A device's calls to the offline store through the supernodes it is
 * attached to: deposit sealed items, fetch what waits for it, acknowledge.
 * One supernode after the other until one answers; "busy, try later" is a
 * typed error carrying how long to wait.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { request } from '../net/rpc.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type OfflineResponse,
  type SealedItem,
} from '../wire/chat.js'

export const OFFLINE_PROTOCOL = '/parley/offline/1.0.0'
const TIMEOUT_MS = 5_000
const MAX_PAGES = 1_000

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

async function ask(node: Libp2p, supernodes: Multiaddr[][], req: OfflineRequest): Promise<OfflineResponse> {
  if (supernodes.length === 0) throw new OfflineStoreError('not_attached', 'not attached to any supernode')
  let last: OfflineStoreError | undefined
  for (const addrs of supernodes) {
    let answer: OfflineResponse
    try {
      answer = decodeOfflineResponse(
        await request(node, addrs, OFFLINE_PROTOCOL, OfflineRequest.encode(req), {
          timeoutMs: TIMEOUT_MS,
          maxResponseBytes: ChatLimits.offlineBytes,
        }),
      )
    } catch (err) {
      last = new OfflineStoreError('unavailable', (err as Error).message)
      continue
    }
    if (answer.result === OfflineResult.Ok) return answer
    const refusal = new OfflineStoreError(answer.code, answer.message || 'refused', answer.retryAfterMs)
    // A refusal (quota, not allowed) is the same everywhere; busy may not be.
    if (answer.result === OfflineResult.Refused) throw refusal
    last = refusal
  }
  throw last ?? new OfflineStoreError('unavailable', 'no supernode answered')
}

const empty = { items: [], recipient: '', deviceId: '', ids: [] }

export async function deposit(node: Libp2p, supernodes: Multiaddr[][], items: SealedItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += ChatLimits.offlineItems)
    await ask(node, supernodes, {
      ...empty,
      kind: OfflineKind.Deposit,
      items: items.slice(i, i + ChatLimits.offlineItems),
    })
}

export async function fetchAll(node: Libp2p, supernodes: Multiaddr[][]): Promise<SealedItem[]> {
  const out: SealedItem[] = []
  const seen = new Set<string>()
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ask(node, supernodes, { ...empty, kind: OfflineKind.Fetch })
    let fresh = 0
    for (const item of answer.items) {
      const key = Buffer.from(item.id).toString('hex')
      if (seen.has(key)) continue
      seen.add(key)
      out.push(item)
      fresh++
    }
    // Pages move only when acknowledged items are gone; stop when a page brings nothing new.
    if (!answer.more || fresh === 0) break
  }
  return out
}

export async function ack(node: Libp2p, supernodes: Multiaddr[][], ids: Uint8Array[]): Promise<void> {
  for (let i = 0; i < ids.length; i += ChatLimits.offlineIds)
    await ask(node, supernodes, {
      ...empty,
      kind: OfflineKind.Ack,
      ids: ids.slice(i, i + ChatLimits.offlineIds).map((id) => new Uint8Array(id)),
    })
}
