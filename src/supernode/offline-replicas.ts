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
import type { SealedItem } from '../wire/chat.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineRequest,
  type OfflineResponse,
  OfflineResult,
} from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Protocols } from './protocols.js'

/** Sends one offline request to another supernode and decodes its answer (capped). */
export type AskReplica = (peer: string, req: OfflineRequest, timeoutMs: number) => Promise<OfflineResponse>

/** Room left in a request for the fields around the items. */
const REQUEST_BYTES = ChatLimits.offlineBytes - 64 * 1024
export const REQUEST_LIMITS = { items: ChatLimits.offlineItems, bytes: REQUEST_BYTES } as const

export function libp2pAsk(node: Libp2p, addrsOf: (peer: string) => Multiaddr[]): AskReplica {
  return withOldReplicas(async (peer, req, timeoutMs) => {
    const addrs = addrsOf(peer)
    if (addrs.length === 0) throw new Error(`no address for ${peer}`)
    const bytes = await request(node, addrs, Protocols.offline, OfflineRequest.encode(req), {
      timeoutMs,
      maxResponseBytes: ChatLimits.offlineBytes,
    })
    return decodeOfflineResponse(bytes)
  })
}

/**
 * A replica older than signed deposits and grants refuses their fields as
 * `malformed` (its decoders insist on the canonical encoding): ask it again
 * without them, so old and new supernodes work side by side during an
 * upgrade. It checks neither anyway; a new replica never answers a
 * well-formed request `malformed`, so this never strips what it would check.
 */
export function withOldReplicas(ask: AskReplica): AskReplica {
  return async (peer, req, timeoutMs) => {
    const res = await ask(peer, req, timeoutMs)
    if (res.result !== OfflineResult.Refused || res.code !== ErrorCode.Malformed || !hasSignedFields(req))
      return res
    return ask(peer, withoutSignedFields(req), timeoutMs)
  }
}

export function hasSignedFields(req: OfflineRequest): boolean {
  return req.access.byteLength > 0 || req.items.some((i) => i.deposit.byteLength > 0)
}

export function withoutSignedFields(req: OfflineRequest): OfflineRequest {
  return {
    ...req,
    access: new Uint8Array(0),
    items: req.items.map((i) => ({ ...i, deposit: new Uint8Array(0) })),
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
    ...(item.deposit.byteLength === 0 ? {} : { deposit: item.deposit }),
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
    deposit: plain(item.deposit ?? new Uint8Array(0)),
  }
}

/**
 * An item as answered to a take or a fetch: without its deposit signature,
 * which only replicas check. It also keeps answers readable by nodes older
 * than signed deposits (their decoders refuse the unknown field).
 */
export function toAnswer(item: OfflineItem): SealedItem {
  return { ...toWire(item), deposit: new Uint8Array(0) }
}

/** Items in requests that each fit the wire cap. */
export function requestBatches(items: readonly SealedItem[]): SealedItem[][] {
  // A few bytes of field tag and length per item beside its own encoding.
  return batches(items, (i) => sealedItemBytesAtMost(i) + 8, REQUEST_LIMITS)
}

/**
 * At least SealedItem.encode(item).byteLength, a few bytes more at most
 * (every field counted as present, stored_at as 10 bytes), without encoding:
 * sizing each item by encoding it, once per replica, was most of what a
 * deposit's fan-out spent encoding (bench/offline-cost.ts profile, issue 12 §2).
 */
export function sealedItemBytesAtMost(item: SealedItem): number {
  let copies = 0
  for (const c of item.copies) {
    const inner = field(utf8Bytes(c.deviceId)) + field(c.ephemeral.byteLength) + field(c.wrapped.byteLength)
    copies += field(inner)
  }
  return (
    field(item.id.byteLength) +
    field(utf8Bytes(item.recipient)) +
    field(utf8Bytes(item.sender)) +
    11 +
    field(item.nonce.byteLength) +
    field(item.ciphertext.byteLength) +
    copies +
    field(item.deposit.byteLength)
  )
}

/** A length-delimited field of `length` bytes: one tag byte, the length's varint, the bytes. */
const field = (length: number): number => 1 + varintBytes(length) + length
const varintBytes = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5
const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

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
