/** What one phase of lookups gave: every attempt's latency and what went wrong. */
import { percentile } from '../support/load.js'

/** error: threw or timed out; missing: "nobody" for an online user; wrong: records that are not the user's device. */
export type Outcome = 'ok' | 'error' | 'missing' | 'wrong'

export class Phase {
  readonly latenciesMs: number[] = []
  readonly outcomes: Record<Outcome, number> = { ok: 0, error: 0, missing: 0, wrong: 0 }
  readonly errors = new Map<string, number>()
  durationMs = 0

  constructor(
    readonly system: string,
    readonly name: string,
  ) {}

  record(ms: number, outcome: Outcome, error?: string): void {
    this.latenciesMs.push(ms)
    this.outcomes[outcome]++
    if (error !== undefined) this.errors.set(error, (this.errors.get(error) ?? 0) + 1)
  }

  get count(): number {
    return this.latenciesMs.length
  }

  get failures(): number {
    return this.count - this.outcomes.ok
  }

  summary(): { p50: number; p99: number; max: number } {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b)
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN }
  }

  /** "0", or "7 (5 missing, 2 error)". */
  failureText(): string {
    if (this.failures === 0) return '0'
    const parts = (['missing', 'wrong', 'error'] as const)
      .filter((o) => this.outcomes[o] > 0)
      .map((o) => `${this.outcomes[o]} ${o}`)
    return `${this.failures} (${parts.join(', ')})`
  }

  /** The most frequent error messages, for the log under the table. */
  topErrors(n = 3): string[] {
    return [...this.errors]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([message, count]) => `${count}× ${message}`)
  }
}
