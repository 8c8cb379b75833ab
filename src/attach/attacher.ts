import { fullJitter, type BackoffPolicy } from '../util/backoff.js'
import type { HostCache, HostEntry, HostHint } from './host-cache.js'
import { HintLedger, type HintAnswer, type HintOutcome } from './hints.js'
import { resolveAttacherOptions, type AttacherInit } from './attacher-options.js'
import { pickByHeadroom } from './rank.js'

export { ATTACHER_DEFAULTS, type AttacherInit } from './attacher-options.js'

/**
 * The device side of attachment: keep `target` supernode attachments (rule 2)
 * and never storm while doing it (rule 3). Sans-IO, quinn-style: feed it
 * events and the time, drain pollAction(), sleep until pollTimeout(), then
 * call handleTimeout(). It needs no authority: the host cache is its map.
 *
 * Every dial waits behind a gate drawn with full jitter (docs/attachment.md):
 * - no attachment at all: window min(pace.cap, pace.base·2^streak), 0–1 s
 *   at start, doubling with every unsuccessful dial in a row;
 * - still attached somewhere (refilling towards `target`): window
 *   min(max(refillSpread, pace.cap), refillSpread·2^streak), 0–30 s at
 *   first. The device is served meanwhile, and this spread is what keeps a
 *   network that lost a quarter of its supernodes from storming the rest.
 *   A device in use (onInUse within `inUseMs`, 60 s) refills at `pace`
 *   instead: its lookups have one supernode to ask and none to hedge to. The
 *   idle majority keeps the spread; the work is the same, only sooner.
 *   A device in use also dials a second host beside a dial that has not
 *   answered within `slowDialMs` (1 s): a frozen host accepts the TCP
 *   connection and never answers, and the dial would hold the slot for 5 s.
 * The streak counts unsuccessful dials (failed, timed out, busy, refused) and
 * attachments lost before they were stable; a stable attachment resets it.
 * Which host: a random draw weighted by headroom (rank.ts), not the single
 * "best", so devices sharing a stale cache do not herd onto one host.
 *
 * After changing the cache from outside (new seeds), call handleTimeout(now)
 * and drain pollAction() again: the core cannot see the change by itself.
 */
export type AttacherAction =
  { type: 'dial'; peerId: string; addrs: string[] } | { type: 'detach'; peerId: string }

/** The exponent stops mattering long before; keeps the counter small. */
const MAX_STREAK = 64
/** Hosts we lost recently and would rather not go straight back to. */
const MAX_AVOIDED = 16

/** A supernode's refusal, kept so the device can tell its user why it is not attached. */
export interface Refusal {
  peerId: string
  code: string
  message: string
  at: number
}

interface Attachment {
  since: number
  stable: boolean
}

export class Attacher {
  readonly target: number
  private readonly cache: HostCache
  private readonly maxParallel: number
  private readonly random: () => number
  private readonly dialTimeoutMs: number
  private readonly pace: BackoffPolicy
  private readonly refill: BackoffPolicy
  private readonly refusedHoldMs: number
  private readonly stableAfterMs: number
  private readonly inUseMs: number
  private readonly slowDialMs: number
  private readonly ledger: HintLedger

  private now: number
  private readonly attachments = new Map<string, Attachment>()
  /** peer id → deadline */
  private readonly dials = new Map<string, number>()
  private readonly detaches: string[] = []
  private readonly avoid = new Set<string>()
  /** Unsuccessful dials (and attachments that did not last) since the last stable attachment. */
  private streak = 0
  /** No dial starts before this; undefined when no dial is wanted. */
  private gateAt: number | undefined
  private refusal: Refusal | undefined
  /** When the device was last used (onInUse). */
  private usedAt = Number.NEGATIVE_INFINITY

  constructor(opts: AttacherInit, now: number) {
    const o = resolveAttacherOptions(opts)
    this.cache = opts.cache
    this.random = opts.random
    this.target = o.target
    this.maxParallel = o.maxParallelDials
    this.dialTimeoutMs = o.dialTimeoutMs
    this.refusedHoldMs = o.refusedHoldMs
    this.stableAfterMs = o.stableAfterMs
    this.inUseMs = o.inUseMs
    this.slowDialMs = o.slowDialMs
    this.pace = o.pace
    this.refill = o.refill
    this.ledger = new HintLedger(opts.cache, opts.hints)
    this.now = now
    this.sync()
  }

  pollAction(): AttacherAction | undefined {
    const peerId = this.detaches.shift()
    if (peerId !== undefined) return { type: 'detach', peerId }
    if (!this.needsDial() || this.dials.size >= this.maxParallel) return undefined
    this.sync()
    if (this.gateAt === undefined || this.gateAt > this.now) return undefined
    const host = this.pick()
    if (host === undefined) return undefined
    this.dials.set(host.peerId, this.now + this.dialTimeoutMs)
    this.avoid.delete(host.peerId)
    this.gateAt = undefined // spent: the next dial, if any, draws its own
    this.sync()
    return { type: 'dial', peerId: host.peerId, addrs: host.addrs }
  }

  onAttached(peerId: string, now: number): void {
    this.advance(now)
    if (this.attachments.has(peerId)) return
    this.dials.delete(peerId)
    if (this.attachments.size >= this.target) {
      // A late answer after its timeout was replaced: keep the attachments we have.
      if (!this.detaches.includes(peerId)) this.detaches.push(peerId)
    } else {
      this.attachments.set(peerId, { since: this.now, stable: false })
      this.avoid.delete(peerId)
      this.settle()
    }
    this.sync()
  }

  /**
   * Hints from a supernode's answer, checked by the adapter (hints.ts): they
   * add to the host cache within bounds and never replace what it held.
   */
  onHints(answer: HintAnswer, now: number): HintOutcome {
    this.advance(now)
    const outcome = this.ledger.take(answer, this.busy(), this.now)
    this.sync()
    return outcome
  }

  /** The supernode is full: learn its hints (verified by the adapter), let it be, try elsewhere. */
  onBusy(peerId: string, hints: readonly HostHint[], now: number, refused = 0): void {
    this.advance(now)
    this.ledger.take({ from: peerId, hints, refused, complete: false }, this.busy(), this.now)
    // Late (after the timeout counted it) or stray: the hints were still worth having.
    if (!this.dials.delete(peerId)) return this.sync()
    const entry = this.cache.get(peerId)
    if (entry !== undefined)
      this.cache.upsert({ ...entry, load: Math.max(entry.load, entry.capacity) }, this.now)
    this.cache.markFailed(peerId, this.now, this.random())
    this.unsuccessful()
  }

  /** The supernode refused us (a certificate it will not take, a banned version): hold it off long. */
  onRefused(peerId: string, code: string, now: number, message = ''): void {
    this.advance(now)
    this.refusal = { peerId, code, message, at: this.now }
    this.cache.markFailed(peerId, this.now, this.random(), this.refusedHoldMs)
    if (this.dials.delete(peerId)) this.unsuccessful()
    else this.sync()
  }

  onFailed(peerId: string, now: number): void {
    this.advance(now)
    if (!this.dials.delete(peerId)) return this.sync() // late: its timeout already counted
    this.cache.markFailed(peerId, this.now, this.random())
    this.unsuccessful()
  }

  onLost(peerId: string, now: number): void {
    this.advance(now)
    if (this.dials.has(peerId)) return this.onFailed(peerId, now)
    const lost = this.attachments.get(peerId)
    if (lost === undefined) return this.sync()
    this.attachments.delete(peerId)
    this.cache.markFailed(peerId, this.now, this.random())
    this.avoid.delete(peerId)
    this.avoid.add(peerId)
    if (this.avoid.size > MAX_AVOIDED) this.avoid.delete(this.avoid.values().next().value ?? '')
    // One that did not last counts against the streak: a crash-looping
    // supernode must not pull its devices back every time it restarts.
    if (!lost.stable) this.streak = Math.min(this.streak + 1, MAX_STREAK)
    this.rearm()
  }

  /**
   * The device is being used: a lookup, which hedges over two supernodes. A
   * refill still waiting on the spread is redrawn at `pace` (the sooner gate
   * wins), and so is any refill within `inUseMs` from now.
   */
  onInUse(now: number): void {
    this.advance(now)
    const wasInUse = this.inUse()
    this.usedAt = this.now
    if (!wasInUse && this.attachments.size > 0 && this.needsDial()) this.rearm()
    else this.sync()
  }

  handleTimeout(now: number): void {
    this.advance(now)
    this.sync()
  }

  /** When to call handleTimeout next; undefined when only an event can change anything. */
  pollTimeout(): number | undefined {
    let next = Number.POSITIVE_INFINITY
    for (const deadline of this.dials.values()) next = Math.min(next, deadline)
    for (const a of this.attachments.values())
      if (!a.stable) next = Math.min(next, a.since + this.stableAfterMs)
    if (this.inUse() && this.attachments.size > 0)
      for (const deadline of this.dials.values()) {
        const slowAt = deadline - this.dialTimeoutMs + this.slowDialMs
        if (slowAt > this.now) next = Math.min(next, slowAt)
      }
    if (this.needsDial() && this.dials.size < this.maxParallel && this.gateAt !== undefined) {
      if (this.gateAt > this.now) next = Math.min(next, this.gateAt)
      else {
        const busy = this.busy()
        if (this.cache.candidates(this.now, busy).length > 0) next = Math.min(next, this.now)
        else next = Math.min(next, this.cache.nextRetryAt(busy, this.now) ?? next)
      }
    }
    return Number.isFinite(next) ? next : undefined
  }

  attached(): string[] {
    return [...this.attachments.keys()]
  }

  dialing(): string[] {
    return [...this.dials.keys()]
  }

  /** When the next dial may start; undefined when none is wanted. */
  nextDialAt(): number | undefined {
    return this.needsDial() ? this.gateAt : undefined
  }

  /** The last refusal, for the UI and metrics: a certificate code means the device must renew. */
  lastRefusal(): Refusal | undefined {
    return this.refusal === undefined ? undefined : { ...this.refusal }
  }

  private needsDial(): boolean {
    return this.attachments.size + this.pendingDials() < this.target
  }

  /**
   * Dials that still hold their slot: all of them, except that a device in use
   * and still attached somewhere stops counting a dial unanswered for slowDialMs.
   */
  private pendingDials(): number {
    if (!this.inUse() || this.attachments.size === 0) return this.dials.size
    let pending = 0
    for (const deadline of this.dials.values())
      if (deadline - this.dialTimeoutMs + this.slowDialMs > this.now) pending++
    return pending
  }

  private busy(): Set<string> {
    return new Set([...this.attachments.keys(), ...this.dials.keys()])
  }

  /** Moves time on (never back) and runs what fell due: dial timeouts, attachments turning stable. */
  private advance(now: number): void {
    if (now > this.now) this.now = now
    for (const [peerId, deadline] of this.dials) {
      if (deadline > this.now) continue
      this.dials.delete(peerId)
      this.cache.markFailed(peerId, this.now, this.random())
      this.unsuccessful()
    }
    this.settle()
  }

  private settle(): void {
    for (const [peerId, a] of this.attachments) {
      if (a.stable || a.since + this.stableAfterMs > this.now) continue
      a.stable = true
      this.cache.markOk(peerId, this.now)
      this.streak = 0
    }
  }

  private unsuccessful(): void {
    this.streak = Math.min(this.streak + 1, MAX_STREAK)
    this.rearm()
  }

  /** A slot opened: the next dial waits for a fresh draw, or the pending gate if that is sooner. */
  private rearm(): void {
    if (this.needsDial()) {
      const at = this.now + this.drawDelay()
      this.gateAt = this.gateAt === undefined ? at : Math.min(this.gateAt, at)
    }
    this.sync()
  }

  private sync(): void {
    if (!this.needsDial()) this.gateAt = undefined
    else if (this.gateAt === undefined) this.gateAt = this.now + this.drawDelay()
    if (this.attachments.size >= this.target) this.avoid.clear()
  }

  private inUse(): boolean {
    return this.now - this.usedAt < this.inUseMs
  }

  private drawDelay(): number {
    const policy = this.attachments.size === 0 || this.inUse() ? this.pace : this.refill
    return fullJitter(this.streak, policy, this.random())
  }

  /**
   * Weighted by headroom (rank.ts), preferring hosts that have not failed
   * since they last worked, then any not just lost, then anything. A host
   * that is down still looks empty in every cache; without this preference
   * devices would keep drawing it.
   */
  private pick(): HostEntry | undefined {
    const all = this.cache.candidates(this.now, this.busy())
    const fresh = all.filter((h) => !this.avoid.has(h.peerId))
    const sound = fresh.filter((h) => h.failures === 0)
    const pool = sound.length > 0 ? sound : fresh.length > 0 ? fresh : all
    return pickByHeadroom(pool, this.random())
  }
}
