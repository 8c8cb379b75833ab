import { Fifo } from './fifo.js'
import { pickSome } from './probe-order.js'
import type { MemberAnnouncement, MemberState, MemberUpdate, MemberView } from './types.js'

/** What we know of one other supernode. */
export interface Member {
  peerId: string
  state: MemberState
  incarnation: number
  /** Missing only on a tombstone: a death we heard of for a member we never knew. */
  announcement?: MemberAnnouncement
  since: number
  /**
   * Our announcement went to it, or it spoke to us (so it holds it). Members refuse
   * messages from peers they hold no announcement of, so our first message to a
   * member carries ours, and so does the next one after a failed probe (it may have
   * forgotten us).
   */
  introduced?: boolean
}

/** The state change an update caused, named as the event it emits. */
export type Change = 'joined' | 'updated' | 'suspect' | 'alive' | 'dead'

interface Timer {
  peerId: string
  at: number
  since: number
}

/**
 * The SWIM incarnation rules over the members we know (never ourselves).
 * Timers are FIFOs because every deadline is `now + a constant`: they come due
 * in the order they were set, so the next one is always at the head.
 */
export class MemberTable {
  private readonly records = new Map<string, Member>()
  private readonly suspicions = new Fifo<Timer>()
  private readonly expiries = new Fifo<Timer>()
  /** Alive and suspect members, ourselves excluded. */
  live = 0

  constructor(
    private readonly suspicionTimeoutMs: number,
    private readonly deadRetentionMs: number,
  ) {}

  get(peerId: string): Member | undefined {
    return this.records.get(peerId)
  }

  all(): IterableIterator<Member> {
    return this.records.values()
  }

  get size(): number {
    return this.records.size
  }

  get pendingTimers(): number {
    return this.suspicions.size + this.expiries.size
  }

  /**
   * Applies one update heard from `from`. Alive with a higher incarnation overrides
   * suspect; suspect overrides alive at the same or a higher incarnation; dead is
   * final for its incarnation. A member is only ever learned with its announcement.
   *
   * Suspicion and death are others' unsigned word, so two rules keep a hostile
   * member from burying anyone: they count only at an incarnation the subject has
   * signed (else a death at 2^53−1 could never be refuted), and anyone else's
   * "dead" is taken only for a member we have suspected for half the suspicion
   * timeout already (a real crash: the accuser's timer ran out first). Otherwise
   * it is a suspicion, which the member refutes well within that half, so a
   * hostile member cannot kill a healthy one. The member's own word (a graceful
   * leave) is final.
   */
  apply(u: MemberUpdate, now: number, from: string): Change | undefined {
    // The decoder checked types; a non-finite incarnation would still poison every comparison.
    if (!isIncarnation(u.incarnation) || u.peerId === '') return undefined
    const ann =
      u.announcement?.peerId === u.peerId && isIncarnation(u.announcement.incarnation)
        ? u.announcement
        : undefined
    const rec = this.records.get(u.peerId)
    if (u.state === 'alive') {
      if (ann === undefined) return undefined
      // The signed incarnation wins over the unsigned field beside it.
      if (rec === undefined) return this.create(ann, 'alive', ann.incarnation, now)
      if (ann.incarnation <= rec.incarnation) return undefined
      const prev = rec.state
      rec.announcement = ann
      this.set(rec, 'alive', ann.incarnation, now)
      return prev === 'alive' ? 'updated' : prev === 'suspect' ? 'alive' : 'joined'
    }
    const signed = Math.max(rec?.announcement?.incarnation ?? -1, ann?.incarnation ?? -1)
    if (u.incarnation > signed) return undefined
    const confirmed =
      from === u.peerId || (rec?.state === 'suspect' && now - rec.since >= this.suspicionTimeoutMs / 2)
    if (u.state === 'suspect' || !confirmed) {
      if (rec === undefined)
        return ann === undefined ? undefined : this.create(ann, 'suspect', u.incarnation, now)
      if (u.incarnation < rec.incarnation) return undefined
      if (rec.state === 'dead') {
        if (u.incarnation === rec.incarnation || ann === undefined) return undefined
        rec.announcement = ann
        this.set(rec, 'suspect', u.incarnation, now)
        return 'joined'
      }
      if (ann !== undefined && ann.incarnation > (rec.announcement?.incarnation ?? -1)) rec.announcement = ann
      if (rec.state === 'suspect') {
        // Suspected again at a higher incarnation: a refutation we missed came in
        // between, so this is a new suspicion and gets a full timeout.
        if (u.incarnation > rec.incarnation) this.set(rec, 'suspect', u.incarnation, now)
        return undefined
      }
      this.set(rec, 'suspect', u.incarnation, now)
      return 'suspect'
    }
    // One we never knew leaves nothing behind (no tombstones on anyone's word).
    if (rec === undefined || u.incarnation < rec.incarnation) return undefined
    if (rec.state === 'dead') {
      rec.incarnation = u.incarnation
      return undefined
    }
    this.set(rec, 'dead', u.incarnation, now)
    return 'dead'
  }

  /** Forgets a member at once: its role was withdrawn or its certificate revoked. */
  expel(peerId: string): Member | undefined {
    const rec = this.records.get(peerId)
    if (rec === undefined) return undefined
    if (rec.state !== 'dead') this.live--
    this.records.delete(peerId)
    // Its timers find no record (or a new one with another `since`) and do nothing.
    return rec
  }

  liveIds(): string[] {
    const ids: string[] = []
    for (const rec of this.records.values()) if (rec.state !== 'dead') ids.push(rec.peerId)
    return ids
  }

  /** Up to k distinct live members, alive ones first, chosen at random. */
  sample(k: number, exclude: (peerId: string) => boolean, random: () => number): string[] {
    const alive: string[] = []
    const suspect: string[] = []
    for (const rec of this.records.values()) {
      if (exclude(rec.peerId)) continue
      if (rec.state === 'alive') alive.push(rec.peerId)
      else if (rec.state === 'suspect') suspect.push(rec.peerId)
    }
    const out = pickSome(alive, k, random)
    return out.length < k ? [...out, ...pickSome(suspect, k - out.length, random)] : out
  }

  isLive(peerId: string): boolean {
    const state = this.records.get(peerId)?.state
    return state === 'alive' || state === 'suspect'
  }

  /** Our own probe failed: suspect the member at the incarnation we know. */
  suspect(peerId: string, now: number): boolean {
    const rec = this.records.get(peerId)
    if (rec?.state !== 'alive') return false
    this.set(rec, 'suspect', rec.incarnation, now)
    return true
  }

  /** The next suspicion to expire or dead member to forget, if any. */
  nextDeadline(): number | undefined {
    const a = this.suspicions.peek()?.at
    const b = this.expiries.peek()?.at
    if (a === undefined) return b
    return b === undefined ? a : Math.min(a, b)
  }

  /** Expires due suspicions (those members are now dead) and forgets dead members past retention. */
  expire(now: number): { died: Member[]; forgotten: string[] } {
    const died: Member[] = []
    const forgotten: string[] = []
    for (let t = this.suspicions.peek(); t !== undefined && t.at <= now; t = this.suspicions.peek()) {
      this.suspicions.shift()
      const rec = this.records.get(t.peerId)
      if (rec?.state !== 'suspect' || rec.since !== t.since) continue
      this.set(rec, 'dead', rec.incarnation, now)
      died.push(rec)
    }
    for (let t = this.expiries.peek(); t !== undefined && t.at <= now; t = this.expiries.peek()) {
      this.expiries.shift()
      const rec = this.records.get(t.peerId)
      if (rec?.state !== 'dead' || rec.since !== t.since) continue
      this.records.delete(t.peerId)
      forgotten.push(t.peerId)
    }
    return { died, forgotten }
  }

  private create(ann: MemberAnnouncement, state: MemberState, incarnation: number, now: number): Change {
    const rec: Member = {
      peerId: ann.peerId,
      state: 'dead',
      incarnation,
      announcement: ann,
      since: -Infinity,
    }
    this.records.set(ann.peerId, rec)
    this.set(rec, state, incarnation, now)
    return 'joined'
  }

  private set(rec: Member, state: MemberState, incarnation: number, now: number): void {
    if (rec.state === 'dead' && state !== 'dead') this.live++
    if (rec.state !== 'dead' && state === 'dead') this.live--
    // A new announcement is not a new state; a renewed suspicion is (its timer keys on since).
    if (rec.state !== state || state === 'suspect') rec.since = now
    rec.state = state
    rec.incarnation = incarnation
    if (state === 'suspect')
      this.suspicions.push({ peerId: rec.peerId, at: now + this.suspicionTimeoutMs, since: now })
    if (state === 'dead')
      this.expiries.push({ peerId: rec.peerId, at: now + this.deadRetentionMs, since: now })
  }
}

/** An incarnation every node can encode, compare and top by one. */
export function isIncarnation(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n < Number.MAX_SAFE_INTEGER
}

export function viewOf(rec: Member): MemberView | undefined {
  if (rec.announcement === undefined) return undefined
  return {
    peerId: rec.peerId,
    state: rec.state,
    incarnation: rec.incarnation,
    announcement: rec.announcement,
    since: rec.since,
  }
}
