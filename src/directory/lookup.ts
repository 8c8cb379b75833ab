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
 *
 * The ranking may run deeper than the replicas: a record whose replicas did
 * not all acknowledge went to the next ranks (directory-service.ts), so the
 * lookup goes on down the ranking. Not every "not found" weighs the same: a
 * node that may lack the record (ranked below the places a record is stored
 * at, or only recently ranked there, before repair reached it) answers
 * "not found" for a user who is online; so its answer never counts toward the
 * quorum, and never outweighs a timeout from a node that may hold the record.
 */
import type { StoredRecord } from './records.js'

/** What a record must carry for a lookup to choose among answers (a StoredRecord, a verified Presence). */
export type LookupRecord = Pick<StoredRecord, 'username' | 'deviceId' | 'sequence' | 'expiresAt'>

export type ReplicaAnswer<R extends LookupRecord = StoredRecord> =
  { kind: 'found'; records: R[] } | { kind: 'not-found' } | { kind: 'error' }

/** One node of the ranking, with what the caller knows of it. */
export interface Ranked {
  peerId: string
  /** It may not hold the record even if one was published (below the stored ranks, or newly ranked). */
  mayLack?: boolean
  /** It failed to answer recently: asked, but nothing waits on it before asking the next. */
  slow?: boolean
}

export interface LookupOptions {
  /** Best first, as replicasFor gives them (a bare peer id: may hold the record, not slow). Duplicates are asked once. */
  replicas: ReadonlyArray<string | Ranked>
  /** Ask the next replica as well when the freshest request is this old, default 25. */
  hedgeDelayMs?: number
  /** A request unanswered this long has failed, default 300. */
  attemptTimeoutMs?: number
  /** The lookup fails at this age whatever is in flight, default 1500. */
  overallTimeoutMs?: number
  /** Not-found answers (from nodes that may hold the record) that decide 'not-found', default 2, capped at their number. */
  notFoundQuorum?: number
  /**
   * Once every node was asked and some that may hold the record did not answer, this many such
   * not-founds still decide 'not-found' (else 'inconclusive'); default notFoundQuorum. Below the quorum
   * on purpose: the quorum guards the early answer against ranks that missed a record for a moment,
   * while at the end of the ranking the frozen ranks are what is missing.
   */
  lastResortQuorum?: number
  /** When set, records for other usernames in an answer are dropped (a confused or hostile replica). */
  username?: string
  /**
   * Rounds over the ranking, default 1. When every node asked has answered or failed and some errored
   * (refused, busy: not silent, not "not found"), the ones that errored are asked again, in order, while
   * rounds and the overall deadline remain. A device passes 2: with one supernode left (the other
   * lost, not replaced yet) that supernode's "could not say" would otherwise end the lookup at once
   * with most of the device's deadline unspent.
   */
  rounds?: number
}

/**
 * all-failed: nobody answered; inconclusive: some said not found, but a node
 * that may hold the record did not answer and too few that would hold it said no.
 */
export type LookupFailure = 'no-replicas' | 'all-failed' | 'inconclusive' | 'timeout'

export type LookupResult<R extends LookupRecord = StoredRecord> =
  { kind: 'found'; records: R[] } | { kind: 'not-found' } | { kind: 'failed'; reason: LookupFailure }

export const DEFAULT_HEDGE_DELAY_MS = 25
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 300
export const DEFAULT_OVERALL_TIMEOUT_MS = 1500
export const DEFAULT_NOT_FOUND_QUORUM = 2
/** Rounds a lookup may take at most, whatever it is asked: each round costs every node one more request. */
export const MAX_ROUNDS = 3

/** idle: not asked yet; timed-out may still answer late, and a late 'found' is still used. */
type ReplicaState = 'idle' | 'asked' | 'timed-out' | 'errored' | 'not-found'

export class Lookup<R extends LookupRecord = StoredRecord> {
  private readonly replicas: readonly string[]
  private readonly mayLack: readonly boolean[]
  private readonly slow: readonly boolean[]
  private readonly index = new Map<string, number>()
  private readonly states: ReplicaState[]
  private readonly askedAt: number[]
  private readonly hedgeDelayMs: number
  private readonly attemptTimeoutMs: number
  private readonly deadline: number
  private readonly quorum: number
  private readonly lastResort: number
  private readonly username: string | undefined
  private readonly toSend: string[] = []
  /** Indexes of the replicas still to ask this round, in order. */
  private queue: number[]
  private round = 1
  private readonly rounds: number
  private notFound = 0
  /** Not-found answers from nodes that may hold the record: the ones the quorum counts. */
  private solidNotFound = 0
  private decided: LookupResult<R> | undefined

  constructor(opts: LookupOptions, now: number) {
    const ranked = new Map<string, Ranked>()
    for (const r of opts.replicas) {
      const entry = typeof r === 'string' ? { peerId: r } : r
      if (!ranked.has(entry.peerId)) ranked.set(entry.peerId, entry)
    }
    this.replicas = [...ranked.keys()]
    this.mayLack = [...ranked.values()].map((r) => r.mayLack === true)
    this.slow = [...ranked.values()].map((r) => r.slow === true)
    this.replicas.forEach((peerId, i) => this.index.set(peerId, i))
    this.states = this.replicas.map(() => 'idle')
    this.askedAt = this.replicas.map(() => Number.NaN)
    this.hedgeDelayMs = duration(opts.hedgeDelayMs, DEFAULT_HEDGE_DELAY_MS)
    this.attemptTimeoutMs = duration(opts.attemptTimeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS)
    this.deadline = now + duration(opts.overallTimeoutMs, DEFAULT_OVERALL_TIMEOUT_MS)
    const quorum = Math.floor(opts.notFoundQuorum ?? DEFAULT_NOT_FOUND_QUORUM)
    const wanted = Number.isNaN(quorum) ? DEFAULT_NOT_FOUND_QUORUM : Math.max(1, quorum)
    const holders = this.mayLack.filter((lack) => !lack).length
    this.quorum = Math.min(wanted, Math.max(1, holders))
    const lastResort = Math.floor(opts.lastResortQuorum ?? this.quorum)
    this.lastResort = Number.isNaN(lastResort) ? this.quorum : Math.min(this.quorum, Math.max(1, lastResort))
    this.username = opts.username
    this.queue = this.replicas.map((_, i) => i)
    const rounds = Math.floor(opts.rounds ?? 1)
    this.rounds = Number.isNaN(rounds) ? 1 : Math.min(MAX_ROUNDS, Math.max(1, rounds))
    if (this.replicas.length === 0) this.decide({ kind: 'failed', reason: 'no-replicas' })
    else this.advance(now)
  }

  /** The next replica to ask now; call until undefined. */
  pollAsk(): string | undefined {
    return this.toSend.shift()
  }

  /** Late (after the decision), duplicate, unasked and unknown answers are ignored. */
  onAnswer(peerId: string, answer: ReplicaAnswer<R>, now: number): void {
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
    for (let i = 0; i < this.replicas.length; i++) {
      if (this.states[i] === 'asked') due = Math.min(due, this.askedAt[i]! + this.attemptTimeoutMs)
    }
    const hedge = this.hedgeAt()
    return hedge === undefined ? due : Math.min(due, hedge)
  }

  /** Set once decided; never changes after. */
  result(): LookupResult<R> | undefined {
    return this.decided
  }

  /** Replicas asked and not answered yet, e.g. for the adapter to cancel once decided. */
  pending(): string[] {
    return this.replicas.filter((_, i) => this.states[i] === 'asked' || this.states[i] === 'timed-out')
  }

  /** The replicas that answered "not found" (or only expired or foreign records): read repair's targets once found. */
  notFoundFrom(): string[] {
    return this.replicas.filter((_, i) => this.states[i] === 'not-found')
  }

  /** Unanswered requests older than hedgeDelayMs: nodes that lost a hedge, for the adapter to note as slow. */
  overdue(now: number): string[] {
    return this.replicas.filter(
      (_, i) =>
        (this.states[i] === 'asked' || this.states[i] === 'timed-out') &&
        now - this.askedAt[i]! >= this.hedgeDelayMs,
    )
  }

  private advance(now: number): void {
    for (let i = 0; i < this.replicas.length; i++) {
      if (this.states[i] === 'asked' && this.askedAt[i]! + this.attemptTimeoutMs <= now) {
        this.states[i] = 'timed-out'
      }
    }
    if (this.solidNotFound >= this.quorum) return this.decide({ kind: 'not-found' })
    if (this.queue.length === 0 && !this.inFlight() && (now >= this.deadline || !this.nextRound()))
      return this.decide(this.exhausted())
    if (now >= this.deadline) return this.decide({ kind: 'failed', reason: 'timeout' })
    for (;;) {
      const hedge = this.hedgeAt()
      const i = this.queue[0]
      if (i === undefined || (hedge !== undefined && hedge > now)) break
      this.queue.shift()
      this.states[i] = 'asked'
      this.askedAt[i] = now
      this.toSend.push(this.replicas[i]!)
    }
  }

  /** Queues the nodes that errored for another round, if rounds remain and any did; false otherwise. */
  private nextRound(): boolean {
    if (this.round >= this.rounds) return false
    const errored = this.replicas.flatMap((_, i) => (this.states[i] === 'errored' ? [i] : []))
    if (errored.length === 0) return false
    this.round++
    for (const i of errored) this.states[i] = 'idle'
    this.queue = errored
    return true
  }

  /**
   * Everyone answered or failed. Not found, when every node that may hold the record answered (and
   * some said so); a node that may hold it and did not answer outweighs any number of not-founds from
   * nodes that may lack it (a user whose every replica froze is still online).
   */
  private exhausted(): LookupResult<R> {
    if (this.notFound === 0) return { kind: 'failed', reason: 'all-failed' }
    const holderFailed = this.states.some(
      (s, i) => !this.mayLack[i] && (s === 'timed-out' || s === 'errored'),
    )
    if (!holderFailed || this.solidNotFound >= this.lastResort) return { kind: 'not-found' }
    return { kind: 'failed', reason: 'inconclusive' }
  }

  private inFlight(): boolean {
    return this.states.some((s) => s === 'asked')
  }

  /** When the next replica is to be asked, if one remains and a request is in flight. */
  private hedgeAt(): number | undefined {
    if (this.queue.length === 0) return undefined
    const freshest = this.freshestInFlight()
    return freshest === undefined ? undefined : freshest + this.hedgeDelayMs
  }

  /** The newest request still awaited from a node not known to be slow: a slow one holds nothing up. */
  private freshestInFlight(): number | undefined {
    let freshest: number | undefined
    for (let i = 0; i < this.replicas.length; i++) {
      if (this.states[i] === 'asked' && !this.slow[i])
        freshest = Math.max(freshest ?? -Infinity, this.askedAt[i]!)
    }
    return freshest
  }

  private markNotFound(i: number): void {
    this.states[i] = 'not-found'
    this.notFound++
    if (!this.mayLack[i]) this.solidNotFound++
  }

  /** Unexpired, for this username, one per device (the highest sequence). */
  private usable(records: readonly R[], now: number): R[] {
    const best = new Map<string, R>()
    for (const record of records) {
      if (record.expiresAt <= now) continue
      if (this.username !== undefined && record.username !== this.username) continue
      const held = best.get(record.deviceId)
      if (held === undefined || record.sequence > held.sequence) best.set(record.deviceId, record)
    }
    return [...best.values()]
  }

  private decide(result: LookupResult<R>): void {
    this.decided = result
    // Asks not yet sent are no use any more.
    this.toSend.length = 0
  }
}

/** A NaN or infinite wait would leave a lookup undecided for ever: every wait has a finite timeout. */
function duration(ms: number | undefined, fallback: number): number {
  return ms !== undefined && Number.isFinite(ms) ? Math.max(0, ms) : fallback
}
