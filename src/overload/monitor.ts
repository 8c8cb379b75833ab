/**
 * Runs the Overload core on a real event loop: every second, the loop's delay
 * p99 (Node's monitorEventLoopDelay histogram, reset after each read), how
 * much of that second the loop's thread ran or waited for a core (Linux's
 * /proc/self/schedstat; elsewhere the process's CPU time, which undercounts
 * on a busy host) and the queue depths the caller reports go in; a change of state is logged and
 * handed to `onChange`. Never throws; its timer does not keep the process up.
 */
import { readFileSync } from 'node:fs'
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
  /** The loop thread's CPU demand and the wall clock at the last sample. */
  private last = { demandUs: cpuDemandUs(), at: performance.now() }

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

  /** The share of the time since the last sample that the loop's thread ran or waited to run. */
  private cpuDemand(): number {
    const now = { demandUs: cpuDemandUs(), at: performance.now() }
    const wallUs = (now.at - this.last.at) * 1000
    const share = wallUs > 0 ? (now.demandUs - this.last.demandUs) / wallUs : 1
    this.last = now
    return Math.min(1, Math.max(0, share))
  }

  private sample(): void {
    try {
      // The histogram is in nanoseconds; with no sample yet its percentiles are NaN or 0.
      const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : Number.NaN
      this.histogram.reset()
      const before = this.core.state()
      this.core.observe(
        { delayP99Ms: p99, cpuDemand: this.cpuDemand(), queues: this.init.queues?.() ?? [] },
        Date.now(),
      )
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

let schedstat = process.platform === 'linux'

/**
 * Microseconds the main thread has run plus waited on a run queue since it started: its demand for the
 * CPU, whether or not the host gave it (the first two fields of /proc/self/schedstat, in ns).
 */
function cpuDemandUs(): number {
  if (schedstat) {
    try {
      const [run, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number)
      if (Number.isFinite(run) && Number.isFinite(wait)) return (run! + wait!) / 1000
    } catch {
      // Not mounted here: use the process's own CPU time from now on.
    }
    schedstat = false
  }
  const { user, system } = process.cpuUsage()
  return user + system
}
