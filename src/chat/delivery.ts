/**
 * The outbox worker: gets every queued event to every device of its user.
 * Online devices get it pushed (acknowledged after their commit); devices
 * known but not reachable get a sealed copy in the offline store. Failures
 * retry with exponential backoff and full jitter, across restarts (the queue
 * is in SQLite). Several events for one user travel in one push.
 */
import { fullJitter, type BackoffPolicy } from '../util/backoff.js'
import type { Logger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import type { SealedItem } from '../wire/chat.js'
import { ChatLimits } from '../wire/chat.js'
import { hex, type Chat } from './chat.js'
import type { KnownDevice } from './store.js'

export const RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 }
/**
 * For a recipient none of whose devices we know yet (never online since they
 * signed up): nothing can be sealed for them, so only a lookup that finds a
 * device delivers; it is asked at least once a minute rather than every 5.
 */
export const UNSEEN_RETRY: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 }

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
const BATCH = ChatLimits.pushEvents
/** Attempts at pushing to a device listed online before its copy is sealed for the offline store. */
const PUSH_RETRIES = 3
const PARALLEL_USERS = 4
/** Room left in a push or a deposit for framing and field tags. */
const PUSH_BUDGET = ChatLimits.pushBytes - 64 * 1024
const DEPOSIT_BUDGET = ChatLimits.offlineBytes - 64 * 1024

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

function sealedSize(item: SealedItem): number {
  return item.ciphertext.byteLength + item.copies.length * 160 + 128
}

/** Where to push: a device, whose it is (which decides the path, src/net/direct.ts) and its published addresses. */
export type Reachable = Pick<Presence, 'username' | 'deviceId' | 'addrs'>

export interface DeliveryPorts {
  /** The user's online devices (cached briefly); [] when none. Throws when the directory cannot answer. */
  devices(username: string): Promise<Presence[]>
  /** Pushes signed events to one device; the ids it committed and refused. */
  push(device: Reachable, events: Uint8Array[]): Promise<{ committed: Uint8Array[]; refused: Uint8Array[] }>
  /** Seals one event for devices. */
  seal(id: Uint8Array, recipient: string, bytes: Uint8Array, devices: KnownDevice[]): SealedItem
  /** Deposits sealed items with the offline store; throws when no supernode holds them. */
  deposit(items: SealedItem[]): Promise<void>
  /** A device's lookup answer turned out stale: forget the cache for the user. */
  stale(username: string): void
  /** On the newest revocation list we hold: never pushed to, never sealed for. */
  isRevoked(deviceId: string): boolean
}

/**
 * Devices unseen this long are forgotten when sealing: the offline store keeps
 * items no longer either, so nothing a device could still fetch is lost.
 */
export const FORGET_UNSEEN_MS = 30 * 24 * 3600_000

export class Delivery {
  private timer: NodeJS.Timeout | undefined
  private soon: NodeJS.Immediate | undefined
  private running = false
  private again = false
  private stopped = false

  constructor(
    private readonly chat: Chat,
    private readonly ports: DeliveryPorts,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.kick()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearImmediate(this.soon)
  }

  /** Something was queued or a device came online: run soon. */
  kick(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    clearTimeout(this.timer)
    // Not setTimeout(0): a timer waits at least 1 ms, several loopback round trips (bench:chat).
    this.soon ??= setImmediate(() => {
      this.soon = undefined
      void this.run()
    })
  }

  private async run(): Promise<void> {
    this.running = true
    try {
      do {
        this.again = false
        // Nothing leaves the device before it is committed (commit.ts).
        this.chat.store.flush()
        const users = this.chat.store.dueUsers(Date.now())
        for (let i = 0; i < users.length; i += PARALLEL_USERS)
          await Promise.all(users.slice(i, i + PARALLEL_USERS).map((u) => this.deliverTo(u)))
        if (users.length > 0) this.again ||= this.chat.store.dueUsers(Date.now()).length > 0
      } while (this.again && !this.stopped)
    } catch (err) {
      this.log.warn({ err }, 'delivery round failed')
    } finally {
      this.running = false
    }
    if (this.stopped) return
    const next = this.chat.store.nextDue()
    clearTimeout(this.timer)
    if (next !== undefined) this.timer = setTimeout(() => void this.run(), Math.max(50, next - Date.now()))
  }

  private async deliverTo(user: string): Promise<void> {
    const store = this.chat.store
    const me = this.chat.me
    const batch = store.due(user, Date.now(), BATCH)
    if (batch.length === 0) return
    let online: Presence[] = []
    try {
      online = (await this.ports.devices(user)).filter(
        (p) => p.deviceId !== me.deviceId && !this.ports.isRevoked(p.deviceId),
      )
    } catch (err) {
      this.log.debug({ user, err: (err as Error).message }, 'lookup failed; offline store only')
    }
    for (const p of online)
      store.rememberDevice({ username: user, deviceId: p.deviceId, publicKey: p.devicePublicKey }, Date.now())
    // Only devices the directory lists now: it knows of revocations, a mere open connection does not.
    const targets: Reachable[] = online
    /** Devices listed online whose push broke (a relay hiccup): tried again before anything is sealed. */
    const broke = new Set<string>()

    await Promise.all(
      targets.map(async (device) => {
        const wanted = batch.filter((e) => !store.ackedBy(e.id, user).has(device.deviceId))
        // Pushes stay under the wire's byte cap whatever the event sizes.
        for (const part of bySize(wanted, (e) => e.bytes.byteLength, PUSH_BUDGET)) {
          try {
            const { committed, refused } = await this.ports.push(
              device,
              part.map((e) => e.bytes),
            )
            store.transaction(() => {
              for (const id of [...committed, ...refused]) store.recordAck(id, user, device.deviceId)
              if (user !== me.username) for (const id of committed) this.advance(id, 'delivered')
            })
          } catch (err) {
            this.ports.stale(user)
            broke.add(device.deviceId)
            this.log.debug({ user, device: device.deviceId, err: (err as Error).message }, 'push failed')
            return
          }
        }
      }),
    )

    const known = store
      .devicesOf(user, Date.now() - FORGET_UNSEEN_MS)
      .filter((d) => d.deviceId !== me.deviceId && !this.ports.isRevoked(d.deviceId))
    let notBefore = 0
    const sealed: { id: Uint8Array; item: SealedItem }[] = []
    const retry: Uint8Array[] = []
    const unseen = known.length === 0
    store.transaction(() => {
      for (const e of batch) {
        const acked = store.ackedBy(e.id, user)
        const missing = known.filter((d) => !acked.has(d.deviceId))
        if (missing.length === 0 && (acked.size > 0 || user === me.username)) store.done(e.id, user)
        else if (missing.length === 0) retry.push(e.id)
        // An online device that a push just failed to reach would otherwise get the event only at
        // its next offline-store fetch (up to a minute): push again shortly, a few times, first.
        else if (e.attempts < PUSH_RETRIES && missing.some((d) => broke.has(d.deviceId))) retry.push(e.id)
        else
          sealed.push({
            id: e.id,
            item: this.ports.seal(e.id, user, e.bytes, missing.slice(0, ChatLimits.copies)),
          })
      }
    })
    for (const part of bySize(sealed, (x) => sealedSize(x.item), DEPOSIT_BUDGET, ChatLimits.offlineItems)) {
      try {
        await this.ports.deposit(part.map((s) => s.item))
        store.transaction(() => {
          for (const s of part) {
            store.done(s.id, user)
            if (user !== me.username) this.advance(s.id, 'sent')
          }
        })
      } catch (err) {
        // "Busy, try later" is normal input (December 2010): wait at least as asked, never hammer.
        const asked = (err as { retryAfterMs?: number }).retryAfterMs ?? 0
        notBefore = Math.max(notBefore, Date.now() + asked)
        this.log.debug({ user, err: (err as Error).message, retryAfterMs: asked }, 'offline deposit failed')
        retry.push(...part.map((s) => s.id))
      }
    }
    const attempts = new Map(batch.map((e) => [hex(e.id), e.attempts]))
    store.transaction(() => {
      for (const id of retry)
        store.retryLater(
          id,
          user,
          retryAt(Date.now(), attempts.get(hex(id)) ?? 0, unseen, notBefore, Math.random()),
        )
    })
  }

  private advance(id: Uint8Array, state: 'sent' | 'delivered'): void {
    if (this.chat.store.advance(id, state)) {
      const m = this.chat.store.message(id)
      if (m !== undefined) this.chat.notifyUpdate(m)
    }
  }
}
