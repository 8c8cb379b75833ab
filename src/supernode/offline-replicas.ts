/**
 * The offline store's replica side, shared by the service and its repair:
 * converting items to and from the wire, asking another supernode over
 * libp2p, running the sans-IO Gather core on real timers, and splitting
 * items into requests that fit the wire cap.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { Gather, type GatherAnswer, type GatherOptions, type GatherResult } from '../offline/gather.js'
import { batches } from '../offline/paging.js'
import type { OfflineItem } from '../offline/types.js'
import { request } from '../net/rpc.js'
import { plain } from '../wire/bytes.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineRequest,
  type OfflineResponse,
  SealedItem,
} from '../wire/chat.js'
import { Protocols } from './protocols.js'

/** Sends one offline request to another supernode and decodes its answer (capped). */
export type AskReplica = (peer: string, req: OfflineRequest, timeoutMs: number) => Promise<OfflineResponse>

/** Room left in a request for the fields around the items. */
const REQUEST_BYTES = ChatLimits.offlineBytes - 64 * 1024
export const REQUEST_LIMITS = { items: ChatLimits.offlineItems, bytes: REQUEST_BYTES } as const

export function libp2pAsk(node: Libp2p, addrsOf: (peer: string) => Multiaddr[]): AskReplica {
  return async (peer, req, timeoutMs) => {
    const addrs = addrsOf(peer)
    if (addrs.length === 0) throw new Error(`no address for ${peer}`)
    const bytes = await request(node, addrs, Protocols.offline, OfflineRequest.encode(req), {
      timeoutMs,
      maxResponseBytes: ChatLimits.offlineBytes,
    })
    return decodeOfflineResponse(bytes)
  }
}

export function fromWire(item: SealedItem): OfflineItem {
  return {
    id: item.id,
    recipient: item.recipient,
    sender: item.sender,
    // The decoders refuse anything a JS number cannot hold exactly.
    storedAt: Number(item.storedAt),
    nonce: item.nonce,
    ciphertext: item.ciphertext,
    copies: item.copies.map((c) => ({ deviceId: c.deviceId, ephemeral: c.ephemeral, wrapped: c.wrapped })),
  }
}

export function toWire(item: OfflineItem): SealedItem {
  return {
    id: plain(item.id),
    recipient: item.recipient,
    sender: item.sender,
    storedAt: BigInt(item.storedAt),
    nonce: plain(item.nonce),
    ciphertext: plain(item.ciphertext),
    copies: item.copies.map((c) => ({
      deviceId: c.deviceId,
      ephemeral: plain(c.ephemeral),
      wrapped: plain(c.wrapped),
    })),
  }
}

/** Items in requests that each fit the wire cap. */
export function requestBatches(items: readonly SealedItem[]): SealedItem[][] {
  // A few bytes of field tag and length per item beside its own encoding.
  return batches(items, (i) => SealedItem.encode(i).byteLength + 8, REQUEST_LIMITS)
}

/** Runs one Gather on real timers: every replica asked at once, decided by the core. */
export function gather<T>(
  opts: GatherOptions,
  ask: (peer: string) => Promise<GatherAnswer<T>>,
): Promise<GatherResult<T>> {
  const core = new Gather<T>(opts, Date.now())
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const pump = (): void => {
      core.handleTimeout(Date.now())
      for (let peer = core.pollAsk(); peer !== undefined; peer = core.pollAsk()) {
        const p = peer
        ask(p).then(
          (answer) => {
            core.onAnswer(p, answer, Date.now())
            pump()
          },
          () => {
            core.onAnswer(p, { kind: 'error' }, Date.now())
            pump()
          },
        )
      }
      clearTimeout(timer)
      const result = core.result()
      if (result !== undefined) return resolve(result)
      const at = core.pollTimeout()
      if (at !== undefined) timer = setTimeout(pump, Math.max(0, at - Date.now()))
    }
    pump()
  })
}
