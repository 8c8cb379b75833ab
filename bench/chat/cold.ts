/**
 * The first message after a pause, the usual case in a chat: rpc.ts keeps
 * idle streams for POOL_IDLE_MS (src/net/stream-pool.ts), so a message sent
 * later needs a fresh stream, and to a relayed device (whose connection is
 * "limited", see reuse.ts) a new dial through the relay. Rounds of: wait
 * until the pools have closed their streams, then one message to each
 * recipient. Every other round runs with reuse.ts's patch on the sender, to
 * show what a fix would give.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { POOL_IDLE_MS } from '../../src/net/stream-pool.js'
import { countConnections, DELIVERY_TIMEOUT_MS } from './latency.js'
import type { ChatPeer } from './peer.js'
import { reuseOpenConnections } from './reuse.js'
import type { Target } from './target.js'
import type { DeliveryWatch } from './watch.js'

/** Past the pool's idle time, with room for its timer to have fired. */
export const COLD_AFTER_MS = POOL_IDLE_MS + 1_500

export interface ColdResult {
  target: Target
  reuse: boolean
  chatMs: number[]
  connectionsOpened: number
}

export async function measureCold(
  sender: ChatPeer,
  watch: DeliveryWatch,
  targets: Target[],
  opts: { rounds: number; signal: AbortSignal; say: (s: string) => void },
): Promise<ColdResult[]> {
  const results = new Map<string, ColdResult>()
  for (let round = 0; round < opts.rounds; round++) {
    const reuse = round % 2 === 1
    opts.say(
      `cold round ${round + 1} of ${opts.rounds}: ${COLD_AFTER_MS / 1000} s idle, then one message each`,
    )
    await sleep(COLD_AFTER_MS, undefined, { signal: opts.signal })
    const unpatch = reuse ? reuseOpenConnections(sender.device.node) : () => undefined
    try {
      for (const target of targets) {
        if (reuse && target.path === 'direct') continue
        const key = `${target.username} ${reuse}`
        const r = results.get(key) ?? { target, reuse, chatMs: [], connectionsOpened: 0 }
        results.set(key, r)
        const stop = countConnections(sender.device.node, target.deviceId)
        const t0 = performance.now()
        const m = sender.service.chat.send(target.username, `cold message ${round}`)
        sender.service.delivery.kick()
        const at = await watch.delivered(m.id, DELIVERY_TIMEOUT_MS).finally(() => {
          r.connectionsOpened += stop()
        })
        r.chatMs.push(at - t0)
      }
    } finally {
      unpatch()
    }
  }
  return [...results.values()]
}
