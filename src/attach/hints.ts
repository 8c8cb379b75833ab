import { InvalidOptionError } from '../util/errors.js'
import { OverlayLimits } from '../wire/limits.js'
import type { HostCache, HostHint } from './host-cache.js'

/**
 * What one supernode's answer may do to the device's host cache (ARCHITECTURE,
 * trust: what a device learns from one supernode is signed by its author or
 * checked against a second source before it replaces what the device knew).
 * Sans-IO: the adapter verifies each hint's signed announcement and passes in
 * only those that verified, with a count of the rest.
 *
 * - A verified hint updates a known host or adds a new one, at most
 *   `maxNewPerAnswer` new ones per answer, never as a mega, and never in the
 *   place of a host that works or of a mega (HostCache.learn).
 * - Nothing is removed because one answer left it out. An ordinary host is
 *   forgotten only when `quorum` different supernodes, each in a complete
 *   answer whose every hint verified, left it out: a rogue supernode alone
 *   cannot empty a cache, and two honest ones still prune the dead.
 */
export interface HintAnswer {
  /** The supernode that answered (its own proof already checked by the adapter). */
  from: string
  /** Hints whose signed announcements verified. */
  hints: readonly HostHint[]
  /** Hints the adapter dropped: unsigned, or a proof that failed. */
  refused: number
  /** The sender listed every live supernode it knows (fewer than the wire's cap). */
  complete: boolean
}

export interface HintOutcome {
  added: string[]
  updated: number
  /** Older announcements than the ones held, and hints for hosts the cache had no room for. */
  ignored: number
  /** New hosts past this answer's allowance. */
  overAllowance: number
  forgotten: string[]
}

export interface HintLedgerInit {
  /** New hosts one answer may add. Default 4. */
  maxNewPerAnswer?: number
  /** Distinct supernodes whose complete answers must leave a host out before it is forgotten. Default 2. */
  quorum?: number
}

export const HINT_DEFAULTS = { maxNewPerAnswer: 4, quorum: 2 } as const

export class HintLedger {
  readonly maxNewPerAnswer: number
  readonly quorum: number
  /** host → the supernodes whose last complete answer left it out. */
  private readonly omitted = new Map<string, Set<string>>()

  constructor(
    private readonly cache: HostCache,
    opts: HintLedgerInit = {},
  ) {
    this.maxNewPerAnswer = count('maxNewPerAnswer', opts.maxNewPerAnswer ?? HINT_DEFAULTS.maxNewPerAnswer, 0)
    this.quorum = count('quorum', opts.quorum ?? HINT_DEFAULTS.quorum, 2)
  }

  /** `keep`: hosts attached or being dialled, never forgotten. */
  take(answer: HintAnswer, keep: ReadonlySet<string>, now: number): HintOutcome {
    const out: HintOutcome = { added: [], updated: 0, ignored: 0, overAllowance: 0, forgotten: [] }
    const list: readonly HostHint[] = Array.isArray(answer.hints) ? answer.hints : []
    const listed = new Set<string>([answer.from])
    for (const hint of list.slice(0, OverlayLimits.hints)) {
      if (typeof hint?.peerId !== 'string' || hint.peerId === answer.from || listed.has(hint.peerId)) continue
      listed.add(hint.peerId)
      this.omitted.get(hint.peerId)?.delete(answer.from)
      if (this.cache.get(hint.peerId) === undefined && out.added.length >= this.maxNewPerAnswer) {
        out.overAllowance++
        continue
      }
      const outcome = this.cache.learn(hint, now)
      if (outcome === 'added') out.added.push(hint.peerId)
      else if (outcome === 'updated') out.updated++
      else out.ignored++
    }
    if (answer.complete && answer.refused === 0) this.omit(answer.from, listed, keep, out)
    this.tidy()
    return out
  }

  private omit(from: string, listed: ReadonlySet<string>, keep: ReadonlySet<string>, out: HintOutcome): void {
    for (const entry of this.cache.entries()) {
      if (entry.mega || listed.has(entry.peerId) || keep.has(entry.peerId)) continue
      const by = this.omitted.get(entry.peerId) ?? new Set<string>()
      by.add(from)
      this.omitted.set(entry.peerId, by)
      if (by.size < this.quorum) continue
      this.cache.remove(entry.peerId)
      this.omitted.delete(entry.peerId)
      out.forgotten.push(entry.peerId)
    }
  }

  /** Keeps the ledger no larger than the cache. */
  private tidy(): void {
    for (const [peerId, by] of this.omitted)
      if (by.size === 0 || this.cache.get(peerId) === undefined) this.omitted.delete(peerId)
  }
}

function count(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new InvalidOptionError(`${name} must be an integer >= ${min}, got ${value}`)
  return value
}
