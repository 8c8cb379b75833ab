/**
 * The machine is shared: before each measurement, wait while the 1-minute
 * load average says something else is busy, a minute at a time, within a
 * budget for the whole run; then measure anyway and say so.
 */
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'

export const LOAD_LIMIT = 3
const WAIT_STEP_MS = 60_000

export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
}

export class QuietWait {
  private waitedMs = 0
  /** Phases that started with the load above the limit. */
  readonly loaded: string[] = []

  constructor(private readonly budgetMs: number) {}

  /** Returns the load average the phase starts with. */
  async before(phase: string, say: (s: string) => void, signal: AbortSignal): Promise<string> {
    while ((loadavg()[0] ?? 0) > LOAD_LIMIT && this.waitedMs < this.budgetMs) {
      say(`load average ${loadAverage()} (above ${LOAD_LIMIT}): waiting a minute before "${phase}"`)
      await sleep(WAIT_STEP_MS, undefined, { signal })
      this.waitedMs += WAIT_STEP_MS
    }
    const load = loadAverage()
    if ((loadavg()[0] ?? 0) > LOAD_LIMIT) {
      this.loaded.push(`${phase} (${load})`)
      say(`load average ${load}: waited ${this.waitedMs / 60_000} min in all; measuring "${phase}" anyway`)
    }
    return load
  }
}
