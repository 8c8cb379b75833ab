/**
 * The honest traffic of every phase, and what it measures: paced lookups of
 * random online users from the bench's lookup clients (latency, verified
 * answers), and chat messages between the bench's chat devices, each one
 * watched until it is delivered (committed on the recipient and acked).
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DeviceNode } from '../../src/device/node.js'
import { Phase, type Outcome } from '../directory/stats.js'
import type { ChatPeer } from '../chat/peer.js'
import { DeliveryWatch } from '../chat/watch.js'

/** Per lookup client: a steady probe, not a flood of its own. */
export const LOOKUPS_PER_S = 20
/** Per chat device, each message to the next device in the ring. */
export const MESSAGES_PER_S = 2

export interface Delivery {
  sent: number
  /** Delivered by the end of the phase's grace period; the rest are counted lost only at the end of the run. */
  delivered: number
  latenciesMs: number[]
}

export class Chatter {
  private readonly watches: DeliveryWatch[]
  private readonly pending = new Set<string>()
  /** The current phase's messages not yet delivered. */
  private current = new Set<string>()
  sentTotal = 0

  constructor(private readonly peers: readonly ChatPeer[]) {
    this.watches = peers.map((p) => new DeliveryWatch(p.service))
  }

  /**
   * Sends round the ring for `ms`. The figures fill in as messages are
   * delivered, until settle() closes the phase.
   */
  async run(ms: number, signal: AbortSignal): Promise<Delivery> {
    const result: Delivery = { sent: 0, delivered: 0, latenciesMs: [] }
    const mine = new Set<string>()
    this.current = mine
    const end = performance.now() + ms
    const period = 1000 / MESSAGES_PER_S
    for (let at = performance.now(); at < end; at += period) {
      signal.throwIfAborted()
      this.peers.forEach((from, i) => {
        const to = this.peers[(i + 1) % this.peers.length]!
        const t0 = performance.now()
        const m = from.service.chat.send(to.name, `hostile bench ${this.sentTotal}`)
        from.service.delivery.kick()
        result.sent++
        this.sentTotal++
        mine.add(m.id)
        this.pending.add(m.id)
        this.watches[i]!.onDelivered(m.id, (t) => {
          this.pending.delete(m.id)
          if (!mine.delete(m.id)) return
          result.delivered++
          result.latenciesMs.push(t - t0)
        })
      })
      await sleep(Math.max(0, at + period - performance.now()), undefined, { signal })
    }
    return result
  }

  /** Waits up to `ms` for the phase's messages; later deliveries no longer count for it. */
  async settle(ms: number, signal: AbortSignal): Promise<void> {
    const end = performance.now() + ms
    while (this.current.size > 0 && performance.now() < end) await sleep(100, undefined, { signal })
    this.current.clear()
  }

  /** Messages still undelivered, after waiting up to `ms` for the stragglers. */
  async lost(ms: number, signal: AbortSignal): Promise<number> {
    const end = performance.now() + ms
    while (this.pending.size > 0 && performance.now() < end) await sleep(200, undefined, { signal })
    return this.pending.size
  }
}

/** Paced sequential lookups from each client for `ms`, every answer verified. */
export async function probeLookups(
  clients: readonly DeviceNode[],
  users: readonly string[],
  deviceIds: ReadonlyMap<string, string>,
  name: string,
  ms: number,
  signal: AbortSignal,
): Promise<Phase> {
  const phase = new Phase('parley', name)
  const start = performance.now()
  const end = start + ms
  const period = 1000 / LOOKUPS_PER_S
  await Promise.all(
    clients.map(async (client) => {
      for (let at = performance.now(); at < end; at += period) {
        signal.throwIfAborted()
        const user = users[Math.floor(Math.random() * users.length)] ?? ''
        const t0 = performance.now()
        let outcome: Outcome = 'ok'
        let error: string | undefined
        try {
          const found = await client.lookup(user)
          if (found.length === 0) outcome = 'nobody'
          else if (!found.some((p) => p.username === user && p.deviceId === deviceIds.get(user)))
            outcome = 'wrong'
        } catch (err) {
          outcome = 'error'
          error = (err as Error).message
        }
        phase.record(performance.now() - t0, outcome, error)
        await sleep(Math.max(0, at + period - performance.now()), undefined, { signal })
      }
    }),
  )
  phase.durationMs = performance.now() - start
  return phase
}
