/**
 * One directory lookup, as the supernode a device asked runs it against the
 * username's replicas. Sans-IO, push/pull like quinn-proto: the adapter sends
 * to whatever pollAsk() returns, feeds answers to onAnswer(), and calls
 * handleTimeout() when pollTimeout() comes due.
 *
 * The rule that keeps a dead or frozen replica from holding a lookup up: while
 * undecided and replicas remain, some request asked less than hedgeDelayMs ago
 * is in flight; when none is (the freshest is older, or every request errored,
 * answered not-found or timed out), the next replica is asked at once. A
 * request counts as failed attemptTimeoutMs after it was sent.
 */
import type { StoredRecord } from './records.js'

export type ReplicaAnswer =
  { kind: 'found'; records: StoredRecord[] } | { kind: 'not-found' } | { kind: 'error' }

export interface LookupOptions {
  /** Best first, as replicasFor gives them. Duplicates are asked once. */
  replicas: readonly string[]
  /** Ask the next replica as well when the freshest request is this old, default 25. */
  hedgeDelayMs?: number
  /** A request unanswered this long has failed, default 300. */
  attemptTimeoutMs?: number
  /** The lookup fails at this age whatever is in flight, default 1500. */
  overallTimeoutMs?: number
  /** Not-found answers that decide 'not-found', default 2, capped at the number of replicas. */
  notFoundQuorum?: number
  /** When set, records for other usernames in an answer are dropped (a confused or hostile replica). */
  username?: string
}

export type LookupFailure = 'no-replicas' | 'all-failed' | 'timeout'

export type LookupResult =
  | { kind: 'found'; records: StoredRecord[] }
  | { kind: 'not-found' }
  | { kind: 'failed'; reason: LookupFailure }

export const DEFAULT_HEDGE_DELAY_MS = 25
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 300
export const DEFAULT_OVERALL_TIMEOUT_MS = 1500
export const DEFAULT_NOT_FOUND_QUORUM = 2

/** idle: not asked yet; timed-out may still answer late, and a late 'found' is still used. */
type ReplicaState = 'idle' | 'asked' | 'timed-out' | 'errored' | 'not-found'

export class Lookup {
  private readonly replicas: readonly string[]
  private readonly index = new Map<string, number>()
  private readonly states: ReplicaState[]
  private readonly askedAt: number[]
  private readonly hedgeDelayMs: number
  private readonly attemptTimeoutMs: number
  private readonly deadline: number
  private readonly quorum: number
  private readonly username: string | undefined
  private readonly toSend: string[] = []
  /** Replicas are asked in order: the next one is replicas[next]. */
  private next = 0
  private notFound = 0
  private decided: LookupResult | undefined

  constructor(opts: LookupOptions, now: number) {
    this.replicas = [...new Set(opts.replicas)]
    this.replicas.forEach((peerId, i) => this.index.set(peerId, i))
    this.states = this.replicas.map(() => 'idle')
    this.askedAt = this.replicas.map(() => Number.NaN)
    this.hedgeDelayMs = duration(opts.hedgeDelayMs, DEFAULT_HEDGE_DELAY_MS)
    this.attemptTimeoutMs = duration(opts.attemptTimeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS)
    this.deadline = now + duration(opts.overallTimeoutMs, DEFAULT_OVERALL_TIMEOUT_MS)
    const quorum = Math.floor(opts.notFoundQuorum ?? DEFAULT_NOT_FOUND_QUORUM)
    const wanted = Number.isNaN(quorum) ? DEFAULT_NOT_FOUND_QUORUM : Math.max(1, quorum)
    this.quorum = Math.min(wanted, Math.max(1, this.replicas.length))
    this.username = opts.username
    if (this.replicas.length === 0) this.decide({ kind: 'failed', reason: 'no-replicas' })
    else this.advance(now)
  }

  /** The next replica to ask now; call until undefined. */
  pollAsk(): string | undefined {
    return this.toSend.shift()
  }

  /** Late (after the decision), duplicate, unasked and unknown answers are ignored. */
  onAnswer(peerId: string, answer: ReplicaAnswer, now: number): void {
    if (this.decided !== undefined) return
    const i = this.index.get(peerId)
    if (i === undefined) return
    const state = this.states[i]
    if (state !== 'asked' && state !== 'timed-out') return
    if (answer.kind === 'found') {
      const records = this.usable(answer.records, now)
      // The first usable 'found' decides: waiting for more could only wait on the slow.
      if (records.length > 0) return this.decide({ kind: 'found', records })
      // Records all expired or foreign: this replica knows of nobody, whatever it said.
      this.markNotFound(i)
    } else if (answer.kind === 'not-found') {
      this.markNotFound(i)
    } else {
      this.states[i] = 'errored'
    }
    this.advance(now)
  }

  handleTimeout(now: number): void {
    if (this.decided === undefined) this.advance(now)
  }

  /** When handleTimeout is next due; undefined once decided. */
  pollTimeout(): number | undefined {
    if (this.decided !== undefined) return undefined
    let due = this.deadline
    for (let i = 0; i < this.next; i++) {
      if (this.states[i] === 'asked') due = Math.min(due, this.askedAt[i]! + this.attemptTimeoutMs)
    }
    const hedge = this.hedgeAt()
    return hedge === undefined ? due : Math.min(due, hedge)
  }

  /** Set once decided; never changes after. */
  result(): LookupResult | undefined {
    return this.decided
  }

  /** Replicas asked and not answered yet, e.g. for the adapter to cancel once decided. */
  pending(): string[] {
    return this.replicas.filter((_, i) => this.states[i] === 'asked' || this.states[i] === 'timed-out')
  }

  private advance(now: number): void {
    for (let i = 0; i < this.next; i++) {
      if (this.states[i] === 'asked' && this.askedAt[i]! + this.attemptTimeoutMs <= now) {
        this.states[i] = 'timed-out'
      }
    }
    if (this.notFound >= this.quorum) return this.decide({ kind: 'not-found' })
    if (this.next === this.replicas.length && this.freshestInFlight() === undefined) {
      // Everyone answered or failed: a single not-found is then the best answer there is.
      return this.decide(this.notFound > 0 ? { kind: 'not-found' } : { kind: 'failed', reason: 'all-failed' })
    }
    if (now >= this.deadline) return this.decide({ kind: 'failed', reason: 'timeout' })
    for (;;) {
      const hedge = this.hedgeAt()
      if (this.next === this.replicas.length || (hedge !== undefined && hedge > now)) break
      this.states[this.next] = 'asked'
      this.askedAt[this.next] = now
      this.toSend.push(this.replicas[this.next]!)
      this.next++
    }
  }

  /** When the next replica is to be asked, if one remains and a request is in flight. */
  private hedgeAt(): number | undefined {
    if (this.next === this.replicas.length) return undefined
    const freshest = this.freshestInFlight()
    return freshest === undefined ? undefined : freshest + this.hedgeDelayMs
  }

  private freshestInFlight(): number | undefined {
    let freshest: number | undefined
    for (let i = 0; i < this.next; i++) {
      if (this.states[i] === 'asked') freshest = Math.max(freshest ?? -Infinity, this.askedAt[i]!)
    }
    return freshest
  }

  private markNotFound(i: number): void {
    this.states[i] = 'not-found'
    this.notFound++
  }

  /** Unexpired, for this username, one per device (the highest sequence). */
  private usable(records: readonly StoredRecord[], now: number): StoredRecord[] {
    const best = new Map<string, StoredRecord>()
    for (const record of records) {
      if (record.expiresAt <= now) continue
      if (this.username !== undefined && record.username !== this.username) continue
      const held = best.get(record.deviceId)
      if (held === undefined || record.sequence > held.sequence) best.set(record.deviceId, record)
    }
    return [...best.values()]
  }

  private decide(result: LookupResult): void {
    this.decided = result
    // Asks not yet sent are no use any more.
    this.toSend.length = 0
  }
}

/** A NaN or infinite wait would leave a lookup undecided for ever: every wait has a finite timeout. */
function duration(ms: number | undefined, fallback: number): number {
  return ms !== undefined && Number.isFinite(ms) ? Math.max(0, ms) : fallback
}
