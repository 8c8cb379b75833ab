/**
 * Runs the Overload core on a real event loop: every second, the loop's delay
 * p99 (Node's monitorEventLoopDelay histogram, reset after each read) and the
 * queue depths the caller reports go in; a change of state is logged and
 * handed to `onChange`. Never throws; its timer does not keep the process up.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Logger } from '../log/logger.js'
import {
  Overload,
  type OverloadOptions,
  type OverloadState,
  type QueueSample,
  type WorkClass,
} from './overload.js'

export interface OverloadMonitorInit {
  log: Logger
  /** Queues and their caps, read at each sample. */
  queues?: () => QueueSample[]
  /** Each sample: the delay p99 in ms and the state after it. */
  onSample?: (delayP99Ms: number, state: OverloadState) => void
  options?: OverloadOptions
  /** Default 1000 ms: the p99 is over this window. */
  intervalMs?: number
}

export class OverloadMonitor {
  private readonly core: Overload
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 })
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly init: OverloadMonitorInit) {
    this.core = new Overload(init.options)
  }

  start(): this {
    this.histogram.enable()
    this.timer = setInterval(() => this.sample(), this.init.intervalMs ?? 1_000)
    this.timer.unref()
    return this
  }

  stop(): void {
    clearInterval(this.timer)
    this.histogram.disable()
  }

  admits(work: WorkClass): boolean {
    return this.core.admits(work)
  }

  state(): OverloadState {
    return this.core.state()
  }

  private sample(): void {
    try {
      // The histogram is in nanoseconds; with no sample yet its percentiles are NaN or 0.
      const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : Number.NaN
      this.histogram.reset()
      const before = this.core.state()
      this.core.observe({ delayP99Ms: p99, queues: this.init.queues?.() ?? [] }, Date.now())
      const after = this.core.state()
      if (after.level !== before.level) {
        if (after.level > before.level)
          this.init.log.warn({ level: after.level, reason: after.reason }, 'overloaded: shedding work')
        else this.init.log.info({ level: after.level }, 'overload cleared')
      }
      this.init.onSample?.(p99, after)
    } catch (err) {
      this.init.log.warn({ err: (err as Error).message }, 'overload sample failed')
    }
  }
}
