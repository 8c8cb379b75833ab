/**
 * Messages per second in one conversation: N messages sent through
 * chat.send as fast as the event loop lets (one message, then a turn for the
 * network and the outbox worker, then the next), timed until every one is
 * delivered. Also the CPU each side used, and what the outbox did (pushes,
 * events per push, lookups), which says where the time went.
 */
import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { TimeoutError, withTimeout } from '../support/cleanup.js'
import { cpuSeconds } from '../directory/procs.js'
import type { ChatPeer } from './peer.js'
import { SenderProbe, type ProbeFigures } from './probe.js'
import type { Target } from './target.js'
import type { DeliveryWatch } from './watch.js'

/** A generous bound: 30 s plus 5 ms a message (200 messages/s would be a broken system). */
const timeoutFor = (n: number): number => 30_000 + n * 5

export interface ThroughputResult {
  target: Target
  messages: number
  /** Delivered within the time bound (all of them unless the system is broken). */
  delivered: number
  /** From the first send until the last send returned. */
  sendMs: number
  /** From the first send until the last message was delivered (or until the bound ran out). */
  totalMs: number
  /** ms spent inside chat.send (sign, verify, commit, queue), summed. */
  sendCallMs: number
  /** CPU seconds over the phase: the bench process (sender, and the recipient when in-process), and the recipient's own process. */
  benchCpuS: number
  recipientCpuS: number
  /** Delivered messages per 100 ms slot, for the shape of the run. */
  deliveredPerSlot: number[]
  probe: ProbeFigures
  /** Messages that went through the offline store (a push failed) before they were delivered. */
  viaOffline: number
  /** Undelivered messages by state when the bound ran out. */
  leftOver: Map<string, number>
  /** Resolves when the last message is delivered: for draining what the bound left behind. */
  rest: Promise<void>
}

export async function measureThroughput(
  sender: ChatPeer,
  watch: DeliveryWatch,
  target: Target,
  opts: { messages: number; signal: AbortSignal },
): Promise<ThroughputResult> {
  const n = opts.messages
  const probe = new SenderProbe(sender.service, sender.device)
  const uninstall = probe.install()
  const own = target.where === 'own process'
  const cpu0 = process.cpuUsage()
  const recipientCpu0 = own ? cpuSeconds(target.pid) : 0
  const times: number[] = []
  const offline0 = watch.viaOffline
  let resolveAll: () => void = () => undefined
  const rest = new Promise<void>((resolve) => (resolveAll = resolve))
  let sendCallMs = 0
  const start = performance.now()
  try {
    for (let i = 0; i < n; i++) {
      if (i % 256 === 0) opts.signal.throwIfAborted()
      const t0 = performance.now()
      const m = sender.service.chat.send(target.username, `throughput ${i} of ${n}`)
      sender.service.delivery.kick()
      sendCallMs += performance.now() - t0
      watch.onDelivered(m.id, (at) => {
        times.push(at)
        if (times.length === n) resolveAll()
      })
      await nextTurn()
    }
    const sendMs = performance.now() - start
    const complete = await withTimeout(rest, timeoutFor(n), 'delivery').then(
      () => true,
      (err: unknown) => {
        if (err instanceof TimeoutError) return false
        throw err
      },
    )
    const delivered = times.length
    const totalMs = complete ? times.reduce((a, b) => Math.max(a, b), 0) - start : performance.now() - start
    const cpu = process.cpuUsage(cpu0)
    const slots: number[] = []
    for (const at of times) {
      const slot = Math.floor((at - start) / 100)
      slots[slot] = (slots[slot] ?? 0) + 1
    }
    return {
      target,
      messages: n,
      delivered,
      sendMs,
      totalMs,
      sendCallMs,
      benchCpuS: (cpu.user + cpu.system) / 1e6,
      recipientCpuS: own ? cpuSeconds(target.pid) - recipientCpu0 : NaN,
      deliveredPerSlot: Array.from(slots, (x) => x ?? 0),
      probe: probe.result(),
      viaOffline: watch.viaOffline - offline0,
      leftOver: complete ? new Map<string, number>() : watch.outstandingStates(),
      rest,
    }
  } finally {
    uninstall()
  }
}
