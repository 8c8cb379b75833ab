/**
 * Chat on a running device: the composition of its parts, each given only
 * what it uses. Serves /parley/chat (push.ts: pushes from other devices,
 * acknowledged after commit) and /parley/history (backfill.ts), runs the
 * outbox (delivery.ts, decided by outbox.ts), fetches the offline store
 * whenever it attaches (offline-fetch.ts), pushes presence and typing to
 * contacts (presence.ts), and turns online into away after the configured
 * idle time (own-status.ts, sweep.ts).
 */
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { signerOf } from '../crypto/keys.js'
import { pooledRandomBytes } from '../crypto/random-pool.js'
import type { DeviceNode } from '../device/node.js'
import type { Profile } from '../device/profile.js'
import { loadIdentity } from '../device/session.js'
import type { Logger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import { ChatKind } from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { Chat, ChatError, statusName, type ChatNotice } from './chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Delivery, type Reachable } from './delivery.js'
import { DeviceLookups } from './lookups.js'
import { Backfill } from './backfill.js'
import { BatchPeers, BatchProtocols } from './batch-peers.js'
import { OfflineFetch } from './offline-fetch.js'
import { PresenceBroadcast } from './presence.js'
import { ChatProtocols, PushHandler, Pusher, type PushResult } from './push.js'
import { refusalLogger } from './refusals.js'
import { sealForDevices } from './seal.js'
import type { StrangerLimits } from './strangers.js'
import { OwnStatus, type UserStatus } from './own-status.js'
import { ChatStore } from './store.js'
import { Sweep, sweepEvery } from './sweep.js'
import { verifyOptions } from './verify-options.js'
import { sendSignal, type SignalOutcome } from '../calls/signals.js'
import { OrderedPushes } from '../calls/ordered-push.js'

export { ChatProtocols }

export const AWAY_AFTER_MS = 5 * 60_000

export type { UserStatus }

export interface ChatServiceOptions {
  device: DeviceNode
  profile: Profile
  log: Logger
  /** Idle time before online turns into away; 0 turns it off. */
  awayAfterMs?: number
  /** Caps on strangers' held messages and pending requests (default 50 per stranger, 500 strangers). */
  strangers?: Partial<StrangerLimits>
}

export class ChatService {
  readonly events = new EventEmitter<{ notice: [ChatNotice] }>()
  readonly chat: Chat
  readonly delivery: Delivery
  private readonly offline: OfflineFetch
  private readonly backfill: Backfill
  private readonly lookups: DeviceLookups
  private readonly own: OwnStatus
  /** Which devices understand batch-signed events (issue 12 §2). */
  private readonly peers: BatchPeers
  private readonly pusher: Pusher
  private readonly pushHandler: PushHandler
  private readonly presence: PresenceBroadcast
  private readonly sweeps: Sweep
  private attachTimer: NodeJS.Timeout | undefined
  private stopped = false
  /** Call signals reach each device in the order they were sent. */
  private readonly signalPushes = new OrderedPushes(
    (d, events) => this.push(d, events),
    (d, err) =>
      this.opts.log.warn({ device: d.deviceId, err: (err as Error).message }, 'call signal not delivered'),
  )

  private constructor(
    private readonly opts: ChatServiceOptions,
    readonly store: ChatStore,
    username: string,
    seed: Uint8Array,
    signer: ReturnType<typeof signerOf>,
  ) {
    const { device, profile, log } = opts
    const awayAfterMs = opts.awayAfterMs ?? AWAY_AFTER_MS
    this.own = new OwnStatus(
      { awayAfterMs, chosen: () => (store.getMeta('status') ?? 'online') as UserStatus },
      Date.now(),
    )
    this.lookups = new DeviceLookups((u) => device.lookup(u))
    // Direct addresses go both ways only between a user's own devices and accepted contacts (M6).
    device.setRelations((u) => (store.contact(u)?.state === 'accepted' ? 'contact' : 'stranger'))
    this.chat = new Chat(
      store,
      { username, deviceId: device.peerId, certificate: () => device.certificateBytes, signer },
      verifyOptions({
        network: () => {
          const { networkPublicKey, networkId } = loadIdentity(profile).config
          return { networkPublicKey, networkId }
        },
        // Every event, history request and push is checked against the newest list we hold.
        isRevoked: (id) => device.isRevoked(id),
      }),
      pooledRandomBytes(),
      (n) => this.onNotice(n),
      refusalLogger(log),
    )
    const me = this.chat.me
    this.peers = new BatchPeers(device.node, signer)
    this.pusher = new Pusher({ node: device.node, connect: (d) => device.connect(d), peers: this.peers })
    this.presence = new PresenceBroadcast({
      me,
      chat: this.chat,
      store,
      status: () => this.own.status(),
      devicesOf: (u) => this.devicesOf(u),
      push: (d, events) => this.push(d, events),
      pushTo: (id, events) => this.pusher.pushTo(id, events),
      log,
    })
    this.delivery = new Delivery({
      store,
      me,
      notifyUpdate: (m) => this.chat.notifyUpdate(m),
      ports: {
        devices: (u) => this.devicesOf(u),
        confirm: (u) => this.lookups.confirm(u),
        push: (p, events) => this.push(p, events),
        seal: (id, recipient, bytes, devices) =>
          sealForDevices({ id, recipient, plaintext: this.peers.sealable(bytes, devices), devices }),
        deposit: (items) => this.offline.deposit(items),
        stale: (u) => this.lookups.stale(u),
        isRevoked: (id) => device.isRevoked(id),
      },
      log,
    })
    this.pushHandler = new PushHandler({
      node: device.node,
      chat: this.chat,
      applied: (e) => {
        if (e.batched) this.peers.note(e.deviceId)
        this.lookups.heardFrom(e.from, e.deviceId)
        // The device that rang us is where our answer goes, with no lookup of the caller first.
        if (e.kind === ChatKind.CALL_SIGNAL) this.lookups.signalFrom(e.from, e.deviceId)
        device.paths.noteDevice(e.deviceId, e.from)
        // A contact came online: tell that device our presence too.
        this.presence.heard(e)
      },
      committed: () => this.delivery.kick(),
      log,
    })
    this.offline = new OfflineFetch({
      node: device.node,
      supernodeAddrs: () => device.supernodeAddrs(),
      chat: this.chat,
      key: { deviceId: device.peerId, seed },
      log,
      onCommitted: () => this.delivery.kick(),
    })
    this.backfill = new Backfill({
      node: device.node,
      deviceId: device.peerId,
      certificate: () => device.certificateBytes,
      lookup: (u) => device.lookup(u),
      connect: (d) => device.connect(d),
      chat: this.chat,
      log,
      peers: this.peers,
    })
    this.sweeps = new Sweep({
      own: this.own,
      store,
      devicesOf: (u) => this.devicesOf(u),
      ownStatusChanged: async () => {
        this.ownStatusChanged()
        await this.broadcastPresence()
      },
      contactOffline: (u) => this.onNotice({ type: 'presence', username: u, status: 'offline' }),
      log,
    })
  }

  static async start(opts: ChatServiceOptions): Promise<ChatService> {
    const key = await opts.profile.deviceKey()
    const { certificate } = loadIdentity(opts.profile)
    const store = new ChatStore(join(opts.profile.dir, 'chat.sqlite'), {
      strangers: opts.strangers,
      onCommitError: (err) => opts.log.warn({ err: (err as Error).message }, 'chat store commit failed'),
      onCheckpointError: (err) =>
        opts.log.warn(
          { err: (err as Error).message },
          'chat store checkpoint worker failed; checkpointing inline',
        ),
    })
    const repaired = store.clock.repair(Date.now())
    if (repaired !== undefined) opts.log.warn(repaired, 'chat clock was poisoned (issue 10 H1); repaired')
    const service = new ChatService(opts, store, certificate.username, key.raw.subarray(0, 32), signerOf(key))
    await service.pushHandler.serve()
    await service.backfill.serve()
    service.delivery.start()
    opts.device.onAttachmentsChange(() => service.attachmentsChanged())
    service.attachmentsChanged()
    service.sweeps.start(sweepEvery(opts.awayAfterMs ?? AWAY_AFTER_MS))
    return service
  }

  /** Newly attached (or re-attached): fetch what waits, retry what waits, catch up, say we are here. */
  private attachmentsChanged(): void {
    // A device stopping loses its supernodes too: nothing may be scheduled past the store's close.
    if (this.stopped || this.opts.device.supernodeAddrs().length === 0) return
    this.offline.fetchSoon()
    this.store.outbox.retryAllNow(Date.now())
    this.delivery.kick()
    // Our presence record is published shortly after attaching: give it a moment, so
    // that contacts answering our presence can find us.
    clearTimeout(this.attachTimer)
    this.attachTimer = setTimeout(() => {
      if (this.stopped) return
      void this.backfill
        .backfill()
        .then((n) => n > 0 && this.delivery.kick())
        .catch(() => undefined)
      this.presenceSoon()
    }, 500)
  }

  get username(): string {
    return this.chat.me.username
  }

  /** The user did something: back from away. */
  active(): void {
    if (!this.own.active(Date.now())) return
    this.ownStatusChanged()
    this.presenceSoon()
  }

  /** Our status changed by itself (idle → away, back): the user's own clients hear it too. */
  private ownStatusChanged(): void {
    this.onNotice({ type: 'presence', username: this.username, status: this.status() })
  }

  status(): UserStatus {
    return this.own.status()
  }

  setStatus(status: UserStatus): void {
    this.store.setMeta('status', status)
    this.own.chose(Date.now())
    this.presenceSoon()
  }

  /** A contact's status as this device knows it. */
  presenceOf(username: string): string {
    return this.store.contact(username)?.presence ?? 'offline'
  }

  /**
   * A call signal (offer, answer, ICE candidate, hang-up) to the contact's
   * online devices and our own other ones; how many of each took it (a
   * caller knows how many of the callee's devices ring).
   */
  async signal(to: string, payload: string): Promise<SignalOutcome> {
    if (this.store.contact(to)?.state !== 'accepted')
      throw new ChatError(ErrorCode.NotContact, `${to} is not a contact`)
    return sendSignal(
      {
        deviceId: this.opts.device.peerId,
        username: this.username,
        sign: (u, p) => this.chat.signal(u, p),
        recentlyListed: (u) => this.lookups.recentlyListed(u),
        devicesOf: (u) => this.devicesOf(u),
        push: (d, event) => this.signalPushes.send(d, event),
        lookupFailed: (u, err) =>
          this.opts.log.warn({ username: u, err: (err as Error).message }, 'call signal: lookup failed'),
        now: () => performance.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
      },
      to,
      payload,
    )
  }

  /** A call event (started, missed, ended…) in the conversation, delivered like a message. */
  recordCall(to: string, text: string): void {
    this.chat.record(ChatKind.CALL_EVENT, to, text)
    this.delivery.kick()
  }

  /** Live typing indicator to the contact's online devices. */
  typing(to: string): Promise<void> {
    return this.presence.typing(to)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.sweeps.stop()
    clearTimeout(this.attachTimer)
    this.delivery.stop()
    this.offline.stop()
    // Contacts see us go offline now rather than at their next sweep.
    await this.broadcastPresence(PresenceStatus.OFFLINE).catch(() => undefined)
    await this.opts.device.node
      .unhandle([ChatProtocols.chat, ChatProtocols.history, BatchProtocols.chat, BatchProtocols.history])
      .catch(() => undefined)
    this.store.close()
  }

  /** Pushes signed events to a device: direct when it can be, else through its relay. */
  push(device: Reachable, events: Uint8Array[]): Promise<PushResult> {
    return this.pusher.push(device, events)
  }

  /** A user's online devices (directory lookups, cached: lookups.ts). */
  devicesOf(username: string): Promise<Presence[]> {
    return this.lookups.devicesOf(username)
  }

  /**
   * Broadcasts our presence without waiting: a failure (the store closed under a timer, as a
   * stopping device's did in bench:chat, which threw the pool process down) is dropped, like a
   * contact that could not be reached.
   */
  private presenceSoon(): void {
    if (this.stopped) return
    this.broadcastPresence().catch(() => undefined)
  }

  /** Pushes our presence to every accepted contact's online devices and to our own. */
  broadcastPresence(status?: PresenceStatus): Promise<void> {
    return this.presence.broadcast(status)
  }

  private onNotice(n: ChatNotice): void {
    // A contact accepted here, by them, or on another of our devices (which is how a second
    // device learns of it): tell their devices we are here, and they answer with their presence.
    if (n.type === 'contact' && n.contact.state === 'accepted') {
      void this.presence.to(n.contact.username).catch(() => undefined)
      // A new contact gets our profile (each of our devices may send it: the newest wins).
      if (!this.stopped)
        try {
          this.chat.profileTo(n.contact.username)
        } catch (err) {
          this.opts.log.warn({ err: (err as Error).message }, 'profile not sent to a new contact')
        }
    }
    this.events.emit('notice', n)
  }
}

export { statusName }
