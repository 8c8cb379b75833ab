/**
 * The outbox's deciding part, sans-IO (issue 12 §1): for one user's due
 * events, which of their devices gets which events pushed, which events are
 * done, which are sealed for the offline store and for which devices, and
 * when the rest are tried again. `now` and a random source come in, decisions
 * come out; the driver (delivery.ts) does the lookups, pushes, sealing,
 * deposits and SQLite writes, and keeps the timer.
 *
 * The rules:
 * - Push to every device the directory lists online now (not ours, not
 *   revoked: a mere open connection knows nothing of revocations), each only
 *   the events it has not acknowledged, in parts under the wire's byte cap.
 * - An event every known device acknowledged is done (for a user with no
 *   known device, once anyone acknowledged it; our own user: at once).
 * - Before a known device that the lookup did not list gets a sealed copy,
 *   the directory is asked again (`confirm`): the answer may be seconds old
 *   (lookups.ts) and the device may have come online since; sealed, it would
 *   get the event only at its next offline fetch.
 * - A device that was listed online but whose push broke (a relay hiccup)
 *   is pushed again shortly, up to PUSH_RETRIES attempts, before its copy is
 *   sealed: else it would get the event only at its next offline fetch.
 * - Known devices that lack the event get one sealed item (ChatLimits.copies
 *   of them at most) deposited with the offline store.
 * - The rest is retried with full-jitter backoff (capped at a minute for a
 *   user none of whose devices we know yet), never before a busy store's
 *   "retry after".
 */
import { fullJitter, type BackoffPolicy } from '../util/backoff.js'
import { ChatLimits } from '../wire/chat.js'
import { hex } from './kinds.js'
import type { KnownDevice } from './store.js'

export const RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 }
/**
 * For a recipient none of whose devices we know yet (never online since they
 * signed up): nothing can be sealed for them, so only a lookup that finds a
 * device delivers; it is asked at least once a minute rather than every 5.
 */
export const UNSEEN_RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 }
/** Attempts at pushing to a device listed online before its copy is sealed for the offline store. */
export const PUSH_RETRIES = 3
/** Events for one user taken in one round. */
export const BATCH = ChatLimits.pushEvents
/** Room left in a push or a deposit for framing and field tags. */
export const PUSH_BUDGET = ChatLimits.pushBytes - 64 * 1024
export const DEPOSIT_BUDGET = ChatLimits.offlineBytes - 64 * 1024
/**
 * Devices unseen this long are forgotten when sealing: the offline store keeps
 * items no longer either, so nothing a device could still fetch is lost.
 */
export const FORGET_UNSEEN_MS = 30 * 24 * 3600_000
/** The driver's timer never fires sooner than this after a round. */
export const MIN_WAKE_MS = 50

/** When an event that could not leave is tried again. */
export function retryAt(
  now: number,
  attempts: number,
  unseen: boolean,
  notBefore: number,
  random: number,
): number {
  return Math.max(notBefore, now + fullJitter(attempts, unseen ? UNSEEN_RETRY : RETRY, random) + 250)
}

/** How long the driver sleeps until the earliest due event (`next`), if any. */
export function wakeAfter(next: number | undefined, now: number): number | undefined {
  return next === undefined ? undefined : Math.max(MIN_WAKE_MS, next - now)
}

/** Consecutive groups of at most `budget` bytes (and `max` items); an item is never split. */
export function bySize<T>(items: T[], size: (t: T) => number, budget: number, max = Infinity): T[][] {
  const out: T[][] = []
  let group: T[] = []
  let used = 0
  for (const item of items) {
    const n = size(item) + 16
    if (group.length > 0 && (used + n > budget || group.length >= max)) {
      out.push(group)
      group = []
      used = 0
    }
    group.push(item)
    used += n
  }
  if (group.length > 0) out.push(group)
  return out
}

export interface DueEvent {
  id: Uint8Array
  /** Rounds this event was already retried in. */
  attempts: number
  bytes: Uint8Array
}

export interface RoundInit {
  /** Whose devices the events go to. */
  user: string
  /** This device and its user. */
  me: { username: string; deviceId: string }
  events: DueEvent[]
  /** Devices that already acknowledged an event (from earlier rounds). */
  acked: (id: Uint8Array) => ReadonlySet<string>
  /** On the newest revocation list we hold: never pushed to, never sealed for. */
  isRevoked: (deviceId: string) => boolean
}

export interface Settled {
  /** Every device has it (or, for our own user, it was pushed where it could be). */
  done: Uint8Array[]
  /** To seal for these devices and deposit with the offline store. */
  seal: { event: DueEvent; devices: KnownDevice[] }[]
}

/**
 * One round for one user: targets → pushes (pushed / pushFailed) →
 * [shouldConfirm → targets → pushes] → settle →
 * deposits (depositFailed) → retries. Holds only the round's state; what
 * outlives it (acks, attempts, due times) the driver writes to the store.
 */
export class UserRound {
  private readonly acks = new Map<string, Set<string>>()
  private readonly broke = new Set<string>()
  /** The devices a lookup listed this round. */
  private readonly listed = new Set<string>()
  private readonly retry: Uint8Array[] = []
  private notBefore = 0
  private unseen = false

  constructor(private readonly init: RoundInit) {
    for (const e of init.events) this.acks.set(hex(e.id), new Set(init.acked(e.id)))
  }

  /** The devices to push to: those the directory lists online now, less ours and the revoked. */
  targets<D extends { deviceId: string }>(online: D[]): D[] {
    const fresh = online.filter(
      (d) =>
        d.deviceId !== this.init.me.deviceId &&
        !this.init.isRevoked(d.deviceId) &&
        !this.listed.has(d.deviceId),
    )
    for (const d of fresh) this.listed.add(d.deviceId)
    return fresh
  }

  /**
   * Whether to ask the directory again before settling (then push to the new
   * `targets` it lists): a known device the lookup did not list still lacks
   * an event. Not when no device is known: for our own user that is every
   * round of a one-device user, and a second device is known from the moment
   * it pulls history from this one (backfill.ts).
   */
  shouldConfirm(known: KnownDevice[]): boolean {
    return this.others(known).some(
      (d) =>
        !this.listed.has(d.deviceId) && this.init.events.some((e) => !this.ackedBy(e.id).has(d.deviceId)),
    )
  }

  /** What to push to a device, in parts under the wire's byte cap; [] when it has everything. */
  pushesFor(deviceId: string): DueEvent[][] {
    const wanted = this.init.events.filter((e) => !this.ackedBy(e.id).has(deviceId))
    return bySize(wanted, (e) => e.bytes.byteLength, PUSH_BUDGET)
  }

  /** A device acknowledged these ids (committed or refused: either way, not to be sent again). */
  pushed(deviceId: string, ids: Uint8Array[]): void {
    for (const id of ids) this.acks.get(hex(id))?.add(deviceId)
  }

  /** A push to a device listed online failed: the rest of its parts are not tried this round. */
  pushFailed(deviceId: string): void {
    this.broke.add(deviceId)
  }

  /**
   * After the pushes: what is done, what to seal for whom; the rest is
   * retried. `known` are the user's devices seen since `seenSince(now)`.
   */
  settle(known: KnownDevice[]): Settled {
    const { me, user } = this.init
    const devices = this.others(known)
    this.unseen = devices.length === 0
    const out: Settled = { done: [], seal: [] }
    for (const e of this.init.events) {
      const acked = this.ackedBy(e.id)
      const missing = devices.filter((d) => !acked.has(d.deviceId))
      if (missing.length === 0 && (acked.size > 0 || user === me.username)) out.done.push(e.id)
      else if (missing.length === 0) this.retry.push(e.id)
      else if (e.attempts < PUSH_RETRIES && missing.some((d) => this.broke.has(d.deviceId)))
        this.retry.push(e.id)
      else out.seal.push({ event: e, devices: missing.slice(0, ChatLimits.copies) })
    }
    return out
  }

  /**
   * A deposit failed: its events are retried, and not before the store's
   * "retry after" ("busy, try later" is normal input, December 2010: never hammer).
   */
  depositFailed(ids: Uint8Array[], now: number, retryAfterMs = 0): void {
    this.notBefore = Math.max(this.notBefore, now + retryAfterMs)
    this.retry.push(...ids)
  }

  /** When each event that did not leave is tried again; `random` draws in [0, 1). */
  retries(now: number, random: () => number): { id: Uint8Array; at: number }[] {
    const attempts = new Map(this.init.events.map((e) => [hex(e.id), e.attempts]))
    return this.retry.map((id) => ({
      id,
      at: retryAt(now, attempts.get(hex(id)) ?? 0, this.unseen, this.notBefore, random()),
    }))
  }

  /** The known devices that are not this one nor revoked. */
  private others(known: KnownDevice[]): KnownDevice[] {
    return known.filter((d) => d.deviceId !== this.init.me.deviceId && !this.init.isRevoked(d.deviceId))
  }

  /** The devices that hold an event: from earlier rounds and this one. */
  ackedBy(id: Uint8Array): ReadonlySet<string> {
    return this.acks.get(hex(id)) ?? new Set()
  }
}

/** Devices last seen before this are not sealed for (FORGET_UNSEEN_MS). */
export function seenSince(now: number): number {
  return now - FORGET_UNSEEN_MS
}
