/**
 * The paced phase's latency, hop by hop, on the sender (issue 12 §2: the
 * p99 had never been split). Each message sent is timed at three points:
 * when the push carrying it starts, when that push's ack arrives, and when
 * the sender marks it delivered. Beside them, what the delivery round waited
 * on: each group commit before a round (`store.flush`) and each directory
 * lookup that did not come from the cache at once.
 *
 * It wraps the ChatService's own methods (the outbox calls them through
 * closures, service.ts), so it sees what the outbox does without changing it.
 * The pushes are matched to messages in order: the outbox pushes a user's
 * events oldest first, and a paced run sends to one user.
 */
import { performance } from 'node:perf_hooks'
import type { ChatService } from '../../src/chat/service.js'
import { figure } from '../support/report.js'
import { percentile } from '../support/load.js'

interface Timed {
  sentAt: number
  pushAt?: number
  ackAt?: number
  deliveredAt?: number
}

export interface HopTimes {
  /** ms, per message: sent → the push carrying it starts (group commit, round in flight, lookup). */
  toPush: number[]
  /** ms, per message: its push starts → the ack (network both ways, the recipient's verify and commit). */
  push: number[]
  /** ms, per message: the ack → delivered (the sender's own commit of the new state). */
  afterAck: number[]
  /** ms, each group commit run by a delivery round (flush). */
  commits: number[]
  /** ms, each lookup that was not answered in the same turn (a cache miss or expiry). */
  lookups: number[]
  /** Events per push to the recipient. */
  pushSizes: number[]
}

export class HopTimer {
  private readonly messages: Timed[] = []
  private nextUnpushed = 0
  private readonly commits: number[] = []
  private readonly lookups: number[] = []
  private readonly pushSizes: number[] = []
  private readonly undo: Array<() => void> = []

  constructor(service: ChatService, username: string) {
    const push = service.push.bind(service)
    service.push = async (device, events) => {
      if (device.username !== username) return push(device, events)
      const at = performance.now()
      const mine = this.messages.slice(this.nextUnpushed, this.nextUnpushed + events.length)
      this.nextUnpushed += mine.length
      this.pushSizes.push(events.length)
      for (const m of mine) m.pushAt = at
      const result = await push(device, events)
      const ackAt = performance.now()
      for (const m of mine) m.ackAt = ackAt
      return result
    }
    const devicesOf = service.devicesOf.bind(service)
    service.devicesOf = (user) => {
      const at = performance.now()
      const answer = devicesOf(user)
      let settled = false
      void answer.then(
        () => (settled = true),
        () => (settled = true),
      )
      // A cached answer is an already-settled promise: it settles before a microtask queued after it.
      queueMicrotask(() => {
        if (!settled)
          void answer.finally(() => this.lookups.push(performance.now() - at)).catch(() => undefined)
      })
      return answer
    }
    const store = service.store
    const flush = store.flush.bind(store)
    store.flush = () => {
      const at = performance.now()
      flush()
      this.commits.push(performance.now() - at)
    }
    this.undo.push(() => {
      service.push = push
      service.devicesOf = devicesOf
      store.flush = flush
    })
  }

  /** A message was just sent; returns the function to call when it is delivered. */
  sent(at: number): (deliveredAt: number) => void {
    const m: Timed = { sentAt: at }
    this.messages.push(m)
    return (deliveredAt) => (m.deliveredAt = deliveredAt)
  }

  /** Restores the service's methods; the times so far. */
  stop(): HopTimes {
    for (const u of this.undo) u()
    const done = this.messages.filter(
      (m): m is Required<Timed> =>
        m.pushAt !== undefined && m.ackAt !== undefined && m.deliveredAt !== undefined,
    )
    return {
      toPush: done.map((m) => m.pushAt - m.sentAt),
      push: done.map((m) => m.ackAt - m.pushAt),
      afterAck: done.map((m) => m.deliveredAt - m.ackAt),
      commits: this.commits,
      lookups: this.lookups,
      pushSizes: this.pushSizes,
    }
  }
}

/** One row per recipient: p50 / p99 / max of each hop, and what the rounds waited on. */
export function hopLines(label: string, h: HopTimes): string[] {
  const f = (values: readonly number[]): string => {
    if (values.length === 0) return 'none'
    const s = [...values].sort((a, b) => a - b)
    return `${figure(percentile(s, 50))} / ${figure(percentile(s, 99))} / ${figure(s.at(-1) ?? NaN)}`
  }
  const slowLookups = h.lookups.length
  return [
    `  ${label} (p50 / p99 / max ms): sent → push ${f(h.toPush)}; push → ack ${f(h.push)}; ` +
      `ack → delivered ${f(h.afterAck)}`,
    `    ${h.commits.length} group commits before a round ${f(h.commits)}; ${slowLookups} lookups not ` +
      `from the cache ${f(h.lookups)}; ${h.pushSizes.length} pushes, events a push ${f(h.pushSizes)}`,
  ]
}
