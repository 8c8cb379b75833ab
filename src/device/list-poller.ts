/**
 * The device's poll of its supernodes for the two signed lists it holds
 * (revocations and supernode grants): every 20 s, each source asked for
 * both in one exchange on `/parley/lists/1.0.0`. A supernode older than that
 * protocol (its identify does not list it, or it refused the protocol) is
 * asked the older way, one request per list. Each list's watch verifies and
 * keeps what is newer.
 *
 * One exchange instead of two halves these polls' streams: an idle network's
 * CPU is mostly libp2p's per-stream work (docs/supernodes.md, "Idle upkeep").
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { LRUCache } from 'lru-cache'
import { CODE_P2P, type Multiaddr } from '@multiformats/multiaddr'
import { request } from '../net/rpc.js'
import { Deadlines, PollIdle, Protocols } from '../supernode/protocols.js'
import {
  decodeSignedListsResponse,
  SIGNED_LISTS_RESPONSE_BYTES,
  SignedListsRequest,
} from '../wire/signed-lists.js'
import type { SignedList, SignedListWatch } from './signed-list-watch.js'

/** How often the sources are asked (with jitter): with the supernodes' own 20 s refresh, within the minute. */
export const LIST_POLL_MS = 20_000

type Watch = Pick<SignedListWatch<SignedList>, 'sequence' | 'take' | 'fetchFrom' | 'notFetched'>

export interface ListPollerInit {
  node: Libp2p
  revocations: Watch
  /** Undefined when the device does not watch grants (it was signed out before they started). */
  grants: () => Watch | undefined
  /** Whom to ask: each source's addresses, ending in its peer id. */
  sources: () => Multiaddr[][]
  pollMs?: number
  random?: () => number
}

/** How long a supernode that refused /parley/lists/1.0.0 is asked the older way before it is tried again (it may be upgraded). */
export const OLDER_FOR_MS = 10 * 60_000

export class ListPoller {
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  /** Sources that refused the one-exchange protocol lately. */
  private readonly older = new LRUCache<string, true>({ max: 1024, ttl: OLDER_FOR_MS })

  constructor(private readonly init: ListPollerInit) {}

  start(): void {
    const every = this.init.pollMs ?? LIST_POLL_MS
    const random = this.init.random ?? Math.random
    const next = (delay: number): void => {
      if (this.stopped) return
      this.timer = setTimeout(() => {
        void this.refresh().finally(() => next(every * (0.75 + 0.5 * random())))
      }, delay)
      this.timer.unref()
    }
    // Soon after start: attachments take a moment, and a stolen device must learn early.
    next(Math.min(every, 2_000) * (0.5 + random()))
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Asks every source at once; never throws. */
  async refresh(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.init.sources().map((addrs) => this.ask(addrs, signal)))
  }

  private async ask(addrs: Multiaddr[], signal?: AbortSignal): Promise<void> {
    const { revocations } = this.init
    const grants = this.init.grants()
    const id = peerOf(addrs)
    if (id === undefined || !(await this.mayServeLists(id))) return this.askOlder(addrs, signal)
    const payload = SignedListsRequest.encode({
      revocationsSequence: BigInt(revocations.sequence),
      grantsSequence: BigInt(grants?.sequence ?? 0),
    })
    let answer: { revocations: Uint8Array; grants: Uint8Array }
    try {
      answer = decodeSignedListsResponse(
        await request(this.init.node, addrs, Protocols.lists, payload, {
          timeoutMs: Deadlines.revocationsMs,
          maxResponseBytes: SIGNED_LISTS_RESPONSE_BYTES,
          signal,
          idleMs: PollIdle.listsMs,
        }),
      )
    } catch (err) {
      if ((err as Error | undefined)?.name !== 'UnsupportedProtocolError') return revocations.notFetched(err)
      this.older.set(id, true)
      return this.askOlder(addrs, signal)
    }
    if (answer.revocations.byteLength > 0) revocations.take(answer.revocations)
    if (answer.grants.byteLength > 0) grants?.take(answer.grants)
  }

  /** A supernode older than /parley/lists/1.0.0: one request per list, on the older protocols. */
  private async askOlder(addrs: Multiaddr[], signal?: AbortSignal): Promise<void> {
    await Promise.all([
      this.init.revocations.fetchFrom(addrs, signal),
      this.init.grants()?.fetchFrom(addrs, signal),
    ])
  }

  /**
   * Whether to ask the source in one exchange: not when it refused the protocol lately, nor when
   * its identify lists what it serves without it. When identify has told nothing (not yet, or it
   * timed out on a busy host, as it does in a loaded devnet), it is tried: an older supernode
   * refuses the protocol in the negotiation, and is then asked the older way for a while.
   */
  private async mayServeLists(id: string): Promise<boolean> {
    if (this.older.has(id)) return false
    const peer = await this.init.node.peerStore.get(peerIdFromString(id)).catch(() => undefined)
    const protocols = peer?.protocols ?? []
    return protocols.length === 0 || protocols.includes(Protocols.lists)
  }
}

/** The peer id the source's first address ends in. */
function peerOf(addrs: Multiaddr[]): string | undefined {
  return addrs[0]?.getComponents().findLast((c) => c.code === CODE_P2P)?.value
}
