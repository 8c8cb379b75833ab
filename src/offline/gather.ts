/**
 * Asking every replica of a recipient at once and deciding on what came
 * back, sans-IO (push/pull like directory/lookup.ts). Unlike a lookup, the
 * offline store wants the union of the replicas' answers (a replica may have
 * missed a deposit or an ack), but no dead or frozen replica may hold the
 * request up: a request fails attemptTimeoutMs after it was sent, and once
 * one replica has answered the others get only graceMs more.
 */

export type GatherAnswer<T> = { kind: 'ok'; value: T } | { kind: 'error' }

export interface GatherOptions {
  /** Duplicates are asked once. */
  replicas: readonly string[]
  /** A request unanswered this long has failed, default 300. */
  attemptTimeoutMs?: number
  /** After the first good answer, how long the others still have, default 50. */
  graceMs?: number
}

export type GatherResult<T> =
  | { kind: 'done'; answers: Array<{ peer: string; value: T }>; failed: string[] }
  | { kind: 'failed'; failed: string[] }

export const DEFAULT_GATHER = { attemptTimeoutMs: 300, graceMs: 50 } as const

export class Gather<T> {
  private readonly replicas: string[]
  private readonly toSend: string[]
  private readonly waiting: Set<string>
  private readonly answers: Array<{ peer: string; value: T }> = []
  private readonly failed: string[] = []
  private deadline: number
  private readonly graceMs: number
  private decided: GatherResult<T> | undefined

  constructor(opts: GatherOptions, now: number) {
    this.replicas = [...new Set(opts.replicas)]
    this.toSend = [...this.replicas]
    this.waiting = new Set(this.replicas)
    this.deadline = now + duration(opts.attemptTimeoutMs, DEFAULT_GATHER.attemptTimeoutMs)
    this.graceMs = duration(opts.graceMs, DEFAULT_GATHER.graceMs)
    this.check(now)
  }

  /** The next replica to ask now; call until undefined. */
  pollAsk(): string | undefined {
    return this.decided === undefined ? this.toSend.shift() : undefined
  }

  /** Answers after the decision, twice, or from replicas never asked are ignored. */
  onAnswer(peer: string, answer: GatherAnswer<T>, now: number): void {
    if (this.decided !== undefined || !this.waiting.delete(peer)) return
    if (answer.kind === 'ok') {
      if (this.answers.length === 0) this.deadline = Math.min(this.deadline, now + this.graceMs)
      this.answers.push({ peer, value: answer.value })
    } else {
      this.failed.push(peer)
    }
    this.check(now)
  }

  handleTimeout(now: number): void {
    if (this.decided === undefined) this.check(now)
  }

  pollTimeout(): number | undefined {
    return this.decided === undefined ? this.deadline : undefined
  }

  result(): GatherResult<T> | undefined {
    return this.decided
  }

  private check(now: number): void {
    if (this.waiting.size > 0 && now < this.deadline) return
    const failed = [...this.failed, ...this.waiting]
    this.decided =
      this.answers.length > 0 ? { kind: 'done', answers: this.answers, failed } : { kind: 'failed', failed }
    this.toSend.length = 0
  }
}

function duration(ms: number | undefined, fallback: number): number {
  return ms !== undefined && Number.isFinite(ms) ? Math.max(0, ms) : fallback
}
