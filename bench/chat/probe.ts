/**
 * Where the sender's time goes: counts and times the ChatService's pushes
 * (each one a request to a recipient device, answered after its verify and
 * commit) and the directory lookups behind them, by wrapping the instance's
 * methods for the length of a phase. The outbox worker calls both through
 * the instance, so it sees the wrapped ones.
 */
import { performance } from 'node:perf_hooks'
import type { ChatService } from '../../src/chat/service.js'
import type { DeviceNode } from '../../src/device/node.js'

export interface ProbeFigures {
  pushes: number
  events: number
  /** ms per push, in the order they ended. */
  pushMs: number[]
  lookups: number
  lookupMs: number[]
  /** Failed pushes, by error message. */
  failures: Map<string, number>
}

export class SenderProbe {
  private figures: ProbeFigures = empty()

  constructor(
    private readonly service: ChatService,
    private readonly device: DeviceNode,
  ) {}

  /** Wraps push and lookup until the returned function is called. */
  install(): () => void {
    this.figures = empty()
    const push = this.service.push.bind(this.service)
    const lookup = this.device.lookup.bind(this.device)
    const f = this.figures
    this.service.push = async (device, events) => {
      const t0 = performance.now()
      try {
        return await push(device, events)
      } catch (err) {
        const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
        f.failures.set(what, (f.failures.get(what) ?? 0) + 1)
        throw err
      } finally {
        f.pushes++
        f.events += events.length
        f.pushMs.push(performance.now() - t0)
      }
    }
    this.device.lookup = async (username) => {
      const t0 = performance.now()
      try {
        return await lookup(username)
      } finally {
        f.lookups++
        f.lookupMs.push(performance.now() - t0)
      }
    }
    return () => {
      this.service.push = push
      this.device.lookup = lookup
    }
  }

  result(): ProbeFigures {
    return {
      ...this.figures,
      pushMs: [...this.figures.pushMs],
      lookupMs: [...this.figures.lookupMs],
      failures: new Map(this.figures.failures),
    }
  }
}

function empty(): ProbeFigures {
  return { pushes: 0, events: 0, pushMs: [], lookups: 0, lookupMs: [], failures: new Map() }
}
