/**
 * The outbox driver: gets every queued event to every device of its user.
 * Online devices get it pushed (acknowledged after their commit); devices
 * known but not reachable get a sealed copy in the offline store. Failures
 * retry with exponential backoff and full jitter, across restarts (the queue
 * is in SQLite). Several events for one user travel in one push.
 *
 * What to push where, what to seal, and when to retry is decided by the
 * sans-IO core (outbox.ts); this file does the IO: store reads and writes,
 * lookups, pushes, deposits, and the timer.
 */
import type { Logger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import type { SealedItem } from '../wire/chat.js'
import { ChatLimits } from '../wire/chat.js'
import type { MessageRow } from './rows.js'
import { BATCH, bySize, DEPOSIT_BUDGET, seenSince, UserRound, wakeAfter } from './outbox.js'
import { hex } from './kinds.js'
import type { ChatStore, KnownDevice } from './store.js'

const PARALLEL_USERS = 4
const NONE: ReadonlySet<string> = new Set()

function sealedSize(item: SealedItem): number {
  return item.ciphertext.byteLength + item.copies.length * 160 + 128
}

/** Where to push: a device, whose it is (which decides the path, src/net/direct.ts) and its published addresses. */
export type Reachable = Pick<Presence, 'username' | 'deviceId' | 'addrs'>

export interface DeliveryPorts {
  /** The user's online devices (cached briefly); [] when none. Throws when the directory cannot answer. */
  devices(username: string): Promise<Presence[]>
  /** As `devices`, but answered by the directory within the last second (lookups.ts `confirm`). */
  confirm(username: string): Promise<Presence[]>
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

/** The slice of the chat store the outbox reads and writes. */
export type OutboxStore = Pick<
  ChatStore,
  'flush' | 'outbox' | 'rememberDevice' | 'devicesOf' | 'transaction' | 'advanceAll'
>

export interface DeliveryComponents {
  store: OutboxStore
  /** This device and its user. */
  me: { username: string; deviceId: string }
  /** A message's state moved on (sent, delivered): the clients hear it. */
  notifyUpdate(message: MessageRow): void
  ports: DeliveryPorts
  log: Logger
  /** The clock and random source handed to the core; Date.now and Math.random unless a test or the simulator says. */
  now?: () => number
  random?: () => number
}

export class Delivery {
  private timer: NodeJS.Timeout | undefined
  private soon: NodeJS.Immediate | undefined
  private running = false
  private again = false
  private stopped = false
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly c: DeliveryComponents) {
    this.now = c.now ?? Date.now
    this.random = c.random ?? Math.random
  }

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
    const { store, log } = this.c
    this.running = true
    try {
      do {
        this.again = false
        // Nothing leaves the device before it is committed (commit.ts).
        store.flush()
        const users = store.outbox.dueUsers(this.now())
        for (let i = 0; i < users.length; i += PARALLEL_USERS)
          await Promise.all(users.slice(i, i + PARALLEL_USERS).map((u) => this.deliverTo(u)))
        if (users.length > 0) this.again ||= store.outbox.dueUsers(this.now()).length > 0
      } while (this.again && !this.stopped)
    } catch (err) {
      log.warn({ err }, 'delivery round failed')
    } finally {
      this.running = false
    }
    if (this.stopped) return
    const wait = wakeAfter(store.outbox.nextDue(), this.now())
    clearTimeout(this.timer)
    if (wait !== undefined) this.timer = setTimeout(() => void this.run(), wait)
  }

  private async deliverTo(user: string): Promise<void> {
    const { store, me, ports, log } = this.c
    const events = store.outbox.due(user, this.now(), BATCH)
    if (events.length === 0) return
    const acks = store.outbox.acksOf(
      events.map((e) => e.id),
      user,
    )
    const round = new UserRound({
      user,
      me,
      events,
      acked: (id) => acks.get(hex(id)) ?? NONE,
      isRevoked: (id) => ports.isRevoked(id),
    })
    const listed = async (lookup: (u: string) => Promise<Presence[]>): Promise<Presence[]> => {
      try {
        const online = round.targets(await lookup(user))
        for (const p of online)
          store.rememberDevice(
            { username: user, deviceId: p.deviceId, publicKey: p.devicePublicKey },
            this.now(),
          )
        return online
      } catch (err) {
        log.debug({ user, err: (err as Error).message }, 'lookup failed; offline store only')
        return []
      }
    }
    await this.pushAll(round, user, await listed((u) => ports.devices(u)))
    // A device that came online since the cached answer was asked is not sealed for: asked again.
    if (round.shouldConfirm(store.devicesOf(user, seenSince(this.now()))))
      await this.pushAll(round, user, await listed((u) => ports.confirm(u)))
    await this.settle(round, user)
  }

  /** Pushes each device what it lacks, in parts; a failed part ends that device's pushes this round. */
  private async pushAll(round: UserRound, user: string, online: Presence[]): Promise<void> {
    const { store, me, ports, log } = this.c
    await Promise.all(
      online.map(async (device) => {
        for (const part of round.pushesFor(device.deviceId)) {
          try {
            const { committed, refused } = await ports.push(
              device,
              part.map((e) => e.bytes),
            )
            round.pushed(device.deviceId, [...committed, ...refused])
            // Acks are kept (at the end of the round) only for events that stay queued: an event
            // every device took leaves the queue now, and a re-push after a crash is harmless.
            if (user !== me.username && committed.length > 0)
              store.transaction(() => this.advance(committed, 'delivered'))
          } catch (err) {
            ports.stale(user)
            round.pushFailed(device.deviceId)
            log.debug({ user, device: device.deviceId, err: (err as Error).message }, 'push failed')
            return
          }
        }
      }),
    )
  }

  /** Marks what is done, seals and deposits what some device still lacks, schedules the rest. */
  private async settle(round: UserRound, user: string): Promise<void> {
    const { store, me, ports, log } = this.c
    const settled = round.settle(store.devicesOf(user, seenSince(this.now())))
    if (settled.done.length > 0) store.transaction(() => store.outbox.done(settled.done, user))
    const sealed = settled.seal.map(({ event, devices }) => ({
      id: event.id,
      item: ports.seal(event.id, user, event.bytes, devices),
    }))
    for (const part of bySize(sealed, (x) => sealedSize(x.item), DEPOSIT_BUDGET, ChatLimits.offlineItems)) {
      try {
        await ports.deposit(part.map((s) => s.item))
        const ids = part.map((s) => s.id)
        store.transaction(() => {
          store.outbox.done(ids, user)
          if (user !== me.username) this.advance(ids, 'sent')
        })
      } catch (err) {
        const asked = (err as { retryAfterMs?: number }).retryAfterMs ?? 0
        round.depositFailed(
          part.map((s) => s.id),
          this.now(),
          asked,
        )
        log.debug({ user, err: (err as Error).message, retryAfterMs: asked }, 'offline deposit failed')
      }
    }
    const retries = round.retries(this.now(), this.random)
    if (retries.length === 0) return
    store.transaction(() => {
      for (const r of retries) {
        store.outbox.retryLater(r.id, user, r.at)
        for (const d of round.ackedBy(r.id)) store.outbox.recordAck(r.id, user, d)
      }
    })
  }

  private advance(ids: Uint8Array[], state: 'sent' | 'delivered'): void {
    for (const m of this.c.store.advanceAll(ids, state)) this.c.notifyUpdate(m)
  }
}
