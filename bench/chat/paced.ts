/**
 * Delivery latency under a steady load: messages through chat.send at a
 * fixed rate (1,000 a second by default) for a few seconds, each timed from
 * its send until the sender marks it delivered (the recipient's ack, after
 * its commit). The goal: p99 under 20 ms at 1,000 messages/s. The
 * sends keep to the schedule however late the event loop wakes up: what was
 * due and not sent yet goes at once, so a slow system shows as latency.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { TimeoutError, withTimeout } from '../support/cleanup.js'
import { cpuSeconds } from '../directory/procs.js'
import type { ChatPeer } from './peer.js'
import type { Target } from './target.js'
import type { DeliveryWatch } from './watch.js'
import { HopTimer, type HopTimes } from './hops.js'

export interface PacedResult {
  target: Target
  rate: number
  messages: number
  delivered: number
  /** ms from send until delivered, ascending. */
  latenciesMs: number[]
  /** Messages per second actually sent (below `rate` when the sender could not keep up). */
  sentRate: number
  benchCpuS: number
  recipientCpuS: number
  /** The same latency split hop by hop on the sender (hops.ts). */
  hops: HopTimes
}

export async function measurePaced(
  sender: ChatPeer,
  watch: DeliveryWatch,
  target: Target,
  opts: { rate: number; seconds: number; signal: AbortSignal },
): Promise<PacedResult> {
  const n = Math.round(opts.rate * opts.seconds)
  const own = target.where === 'own process'
  const cpu0 = process.cpuUsage()
  const recipientCpu0 = own ? cpuSeconds(target.pid) : 0
  const latencies: number[] = []
  let resolveAll: () => void = () => undefined
  const all = new Promise<void>((resolve) => (resolveAll = resolve))
  const hops = new HopTimer(sender.service, target.username)
  const start = performance.now()
  let sent = 0
  while (sent < n) {
    opts.signal.throwIfAborted()
    const due = Math.min(n, Math.floor(((performance.now() - start) * opts.rate) / 1000) + 1)
    for (; sent < due; sent++) {
      const t0 = performance.now()
      const m = sender.service.chat.send(target.username, `paced ${sent} of ${n}`)
      sender.service.delivery.kick()
      const timed = hops.sent(t0)
      watch.onDelivered(m.id, (at) => {
        timed(at)
        latencies.push(at - t0)
        if (latencies.length === n) resolveAll()
      })
    }
    await sleep(1)
  }
  const sendSeconds = (performance.now() - start) / 1000
  await withTimeout(all, 30_000, 'paced delivery').catch((err: unknown) => {
    if (!(err instanceof TimeoutError)) throw err
  })
  const cpu = process.cpuUsage(cpu0)
  const hopTimes = hops.stop()
  return {
    target,
    rate: opts.rate,
    messages: n,
    delivered: latencies.length,
    latenciesMs: latencies.sort((a, b) => a - b),
    sentRate: n / sendSeconds,
    benchCpuS: (cpu.user + cpu.system) / 1e6,
    recipientCpuS: own ? cpuSeconds(target.pid) - recipientCpu0 : NaN,
    hops: hopTimes,
  }
}
