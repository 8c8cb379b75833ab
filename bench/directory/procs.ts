/** Process-level tools for the directory benchmark: resident memory, freezing and thawing, waiting. */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError'
}

/** VmRSS of a process in KiB, from /proc/<pid>/status; NaN when unreadable. */
export function rssKib(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? NaN : Number(match[1])
  } catch {
    return NaN
  }
}

/** How long idle CPU is sampled. */
export const IDLE_SAMPLE_MS = 5_000

/** user + system CPU seconds a process has used, from /proc/<pid>/stat; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name, in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}
const CLOCK_TICKS = 100

/**
 * A CPU meter over the given processes and this one: start() then stop() gives the
 * user + system CPU ms they used together in between.
 */
export function cpuMeter(pids: readonly number[]): () => number {
  const total = (): number => {
    const own = process.cpuUsage()
    return pids.reduce((sum, pid) => sum + cpuSeconds(pid) * 1000, 0) + (own.user + own.system) / 1000
  }
  const before = total()
  return () => total() - before
}

/**
 * Per named process, the CPU ms it used between the call and the returned
 * function's call (the bench's own process as "bench"): where a phase's CPU went.
 */
export function cpuByProcess(named: ReadonlyArray<{ name: string; pid: number }>): () => Map<string, number> {
  const own = (): number => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  const before = new Map(named.map((p) => [p.name, cpuSeconds(p.pid) * 1000]))
  const ownBefore = own()
  return () => {
    const used = new Map(named.map((p) => [p.name, cpuSeconds(p.pid) * 1000 - (before.get(p.name) ?? NaN)]))
    used.set('bench', own() - ownBefore)
    return used
  }
}

/** Cores the processes used together over `ms` (1 = one core busy). */
export async function cpuCores(pids: readonly number[], ms: number, signal: AbortSignal): Promise<number> {
  const total = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  const before = total()
  const t0 = performance.now()
  await sleep(ms, undefined, { signal })
  return (total() - before) / ((performance.now() - t0) / 1000)
}

/**
 * SIGSTOP and SIGCONT with a record of who is frozen, so that every exit path
 * can thaw them: a stopped process ignores SIGTERM until it is continued.
 */
export class Freezer {
  private readonly frozen = new Set<number>()

  freeze(pids: readonly number[]): void {
    for (const pid of pids) {
      process.kill(pid, 'SIGSTOP')
      this.frozen.add(pid)
    }
  }

  thawAll(): void {
    for (const pid of this.frozen) {
      try {
        process.kill(pid, 'SIGCONT')
      } catch {
        // Already gone.
      }
    }
    this.frozen.clear()
  }
}

/**
 * Every child process the bench started, for the exit hook: SIGCONT then
 * SIGKILL, synchronously, and only to children that have not exited (a pid
 * of an exited child may already belong to someone else).
 */
export class Children {
  private readonly children = new Set<ChildProcess>()

  add(child: ChildProcess): void {
    this.children.add(child)
  }

  killAll(): void {
    for (const child of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      child.kill('SIGCONT')
      child.kill('SIGKILL')
    }
  }
}

/** Polls `check` until it returns a value, every `everyMs`, failing after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs: number; everyMs: number; signal: AbortSignal; state?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs
  for (;;) {
    opts.signal.throwIfAborted()
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() >= deadline) {
      const state = opts.state === undefined ? '' : ` (${opts.state()})`
      throw new WaitTimeoutError(`${what}: not done after ${opts.timeoutMs / 1000} s${state}`)
    }
    await sleep(opts.everyMs, undefined, { signal: opts.signal })
  }
}
