/** What one phase of lookups gave: every attempt's latency and what went wrong. */
import { percentile } from '../support/load.js'

/**
 * nobody: "nobody online" for a user who is; unavailable: the directory could not say (both are
 * misses); wrong: records that are not the user's device; error: anything else that threw.
 */
export type Outcome = 'ok' | 'nobody' | 'unavailable' | 'wrong' | 'error'

const FAILURES = ['nobody', 'unavailable', 'wrong', 'error'] as const
/** Failed lookups kept as examples per phase, for the failures line. */
const EXAMPLES = 5

export class Phase {
  readonly latenciesMs: number[] = []
  /** Per recorded lookup: its outcome, and the order in which it was started. */
  private readonly kinds: Outcome[] = []
  private readonly seqs: number[] = []
  readonly outcomes: Record<Outcome, number> = { ok: 0, nobody: 0, unavailable: 0, wrong: 0, error: 0 }
  readonly errors = new Map<string, number>()
  readonly examples: string[] = []
  durationMs = 0
  /**
   * CPU the system's processes used during the phase (user + system, the bench's own
   * process included: Parley's lookup clients live there), idle upkeep included.
   */
  cpuMs = NaN
  /** Why n is what it is, when a time budget cut the phase short. */
  capped: string | undefined

  constructor(
    readonly system: string,
    readonly name: string,
  ) {}

  /**
   * `what` names the failed lookup (whom, how long) for the failures line; `seq` is
   * the lookup's place in the order the lookups were started (by default, this one's).
   */
  record(ms: number, outcome: Outcome, error?: string, what?: string, seq = this.count): void {
    this.latenciesMs.push(ms)
    this.kinds.push(outcome)
    this.seqs.push(seq)
    this.outcomes[outcome]++
    if (outcome === 'ok') return
    const message = error ?? outcome
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1)
    if (this.examples.length < EXAMPLES)
      this.examples.push(`${outcome}${what === undefined ? '' : ` ${what}`} after ${ms.toFixed(0)} ms`)
  }

  get count(): number {
    return this.latenciesMs.length
  }

  get failures(): number {
    return this.count - this.outcomes.ok
  }

  /** Lookups that ended without the user's record: "nobody" and "unavailable". */
  get misses(): number {
    return this.outcomes.nobody + this.outcomes.unavailable
  }

  /**
   * The first n lookups started, as a phase of its own: what this phase measured over
   * the same span from its start as another system's phase that was cut at n.
   */
  first(n: number): Phase {
    const head = new Phase(this.system, `${this.name} · first ${n}`)
    const order = this.seqs.map((seq, i) => ({ seq, i })).sort((a, b) => a.seq - b.seq)
    for (const { seq, i } of order.slice(0, n))
      head.record(this.latenciesMs[i] ?? NaN, this.kinds[i] ?? 'error', undefined, undefined, seq)
    return head
  }

  summary(): { p50: number; p99: number; max: number } {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b)
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN }
  }

  /** CPU ms per lookup across the system's processes; NaN when not measured. */
  get cpuPerLookupMs(): number {
    return this.count === 0 ? NaN : this.cpuMs / this.count
  }

  /** "0", or "7 (5 nobody, 2 unavailable)". */
  failureText(): string {
    if (this.failures === 0) return '0'
    const parts = FAILURES.filter((o) => this.outcomes[o] > 0).map((o) => `${this.outcomes[o]} ${o}`)
    return `${this.failures} (${parts.join(', ')})`
  }

  /** The most frequent error messages. */
  topErrors(n = 3): string[] {
    return [...this.errors]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([message, count]) => `${count}× ${message}`)
  }

  /** Every kind of failure with its count, the most frequent messages, and the first few lookups that failed. */
  failureLines(n = 3): string[] {
    if (this.failures === 0) return []
    return [`${this.failureText()}: ${this.topErrors(n).join('; ')}`, `e.g. ${this.examples.join('; ')}`]
  }
}
