/**
 * Chat on a running device: serves /parley/chat (pushes from other devices,
 * acknowledged after commit) and /parley/history (backfill for the user's own
 * new devices), runs the outbox, fetches the offline store whenever it
 * attaches, pushes presence to contacts, and turns online into away after
 * the configured idle time.
 */
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { signerOf } from '../crypto/keys.js'
import type { DeviceNode } from '../device/node.js'
import type { Profile } from '../device/profile.js'
import { loadIdentity } from '../device/session.js'
import type { Logger } from '../log/logger.js'
import { request, serve } from '../net/rpc.js'
import type { VerifyCertificateOptions } from '../trust/certificate.js'
import type { Presence } from '../trust/presence.js'
import {
  ChatAck,
  ChatKind,
  ChatLimits,
  ChatPush,
  ChatResult,
  decodeChatAck,
  decodeChatPush,
} from '../wire/chat.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { Chat, ChatError, STATUS_NAMES, statusName, type ChatNotice } from './chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Delivery, type Reachable } from './delivery.js'
import { DeviceLookups } from './lookups.js'
import { Backfill } from './backfill.js'
import { OfflineFetch } from './offline-fetch.js'
import { refusalLogger } from './refusals.js'
import { sealForDevices } from './seal.js'
import type { StrangerLimits } from './strangers.js'
import { OwnStatus, type UserStatus } from './own-status.js'
import { ChatStore } from './store.js'
import { sendSignal, type SignalOutcome } from '../calls/signals.js'
import { OrderedPushes } from '../calls/ordered-push.js'

export const ChatProtocols = {
  chat: '/parley/chat/1.0.0',
  history: '/parley/history/1.0.0',
} as const

const PUSH_TIMEOUT_MS = 5_000
const CONTACT_SWEEP_MS = 30_000
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
  private sweepTimer: NodeJS.Timeout | undefined
  private attachTimer: NodeJS.Timeout | undefined
  private lastContactSweep = 0
  /** Devices that have our current presence (reset when it changes). */
  private told = new Set<string>()
  /** Call signals reach each device in the order they were sent. */
  private readonly signalPushes = new OrderedPushes((d, events) => this.push(d, events))

  private constructor(
    private readonly opts: ChatServiceOptions,
    readonly store: ChatStore,
    username: string,
    private readonly seed: Uint8Array,
    signer: ReturnType<typeof signerOf>,
  ) {
    const { device, profile, log } = opts
    this.own = new OwnStatus(
      {
        awayAfterMs: opts.awayAfterMs ?? AWAY_AFTER_MS,
        chosen: () => (store.getMeta('status') ?? 'online') as UserStatus,
      },
      Date.now(),
    )
    this.lookups = new DeviceLookups((u) => device.lookup(u))
    // Direct addresses go both ways only between a user's own devices and accepted contacts (M6).
    device.setRelations((u) => (store.contact(u)?.state === 'accepted' ? 'contact' : 'stranger'))
    const verifyOptions = (): VerifyCertificateOptions => {
      const { config } = loadIdentity(profile)
      return {
        networkPublicKey: config.networkPublicKey,
        networkId: config.networkId,
        now: Date.now(),
        // Every event, history request and push is checked against the newest list we hold.
        isRevoked: (deviceId: string) => device.isRevoked(deviceId),
      }
    }
    let cached: { at: number; value: VerifyCertificateOptions } | undefined
    const verify = () => {
      if (cached === undefined || Date.now() - cached.at > 10_000)
        cached = { at: Date.now(), value: verifyOptions() }
      return { ...cached.value, now: Date.now() }
    }
    this.chat = new Chat(
      store,
      { username, deviceId: device.peerId, certificate: () => device.certificateBytes, signer },
      verify,
      (n) => this.onNotice(n),
      refusalLogger(log),
    )
    this.delivery = new Delivery({
      store,
      me: this.chat.me,
      notifyUpdate: (m) => this.chat.notifyUpdate(m),
      ports: {
        devices: (u) => this.devicesOf(u),
        push: (p, events) => this.push(p, events),
        seal: (id, recipient, bytes, devices) => sealForDevices({ id, recipient, plaintext: bytes, devices }),
        deposit: (items) => this.offline.deposit(items),
        stale: (u) => this.lookups.stale(u),
        isRevoked: (id) => device.isRevoked(id),
      },
      log,
    })
    this.offline = new OfflineFetch(device, this.chat, { deviceId: device.peerId, seed }, log, () =>
      this.delivery.kick(),
    )
    this.backfill = new Backfill(device, this.chat, log)
  }

  static async start(opts: ChatServiceOptions): Promise<ChatService> {
    const key = await opts.profile.deviceKey()
    const { certificate } = loadIdentity(opts.profile)
    const store = new ChatStore(join(opts.profile.dir, 'chat.sqlite'), {
      strangers: opts.strangers,
      onCommitError: (err) => opts.log.warn({ err: (err as Error).message }, 'chat store commit failed'),
    })
    const repaired = store.clock.repair(Date.now())
    if (repaired !== undefined) opts.log.warn(repaired, 'chat clock was poisoned (issue 10 H1); repaired')
    const service = new ChatService(opts, store, certificate.username, key.raw.subarray(0, 32), signerOf(key))
    await service.serveProtocols()
    service.delivery.start()
    opts.device.onAttachmentsChange(() => service.attachmentsChanged())
    service.attachmentsChanged()
    const awayAfter = opts.awayAfterMs ?? AWAY_AFTER_MS
    const every =
      awayAfter > 0 ? Math.min(CONTACT_SWEEP_MS, Math.max(1_000, awayAfter / 4)) : CONTACT_SWEEP_MS
    service.sweepTimer = setInterval(() => void service.sweep(), every)
    service.sweepTimer.unref()
    return service
  }

  /** Newly attached (or re-attached): fetch what waits, retry what waits, catch up, say we are here. */
  private attachmentsChanged(): void {
    if (this.opts.device.supernodeAddrs().length === 0) return
    this.offline.fetchSoon()
    this.store.retryAllNow(Date.now())
    this.delivery.kick()
    // Our presence record is published shortly after attaching: give it a moment, so
    // that contacts answering our presence can find us.
    clearTimeout(this.attachTimer)
    this.attachTimer = setTimeout(() => {
      void this.backfill.backfill().then((n) => n > 0 && this.delivery.kick())
      void this.broadcastPresence()
    }, 500)
  }

  get username(): string {
    return this.chat.me.username
  }

  /** The user did something: back from away. */
  active(): void {
    if (!this.own.active(Date.now())) return
    this.ownStatusChanged()
    void this.broadcastPresence()
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
    void this.broadcastPresence()
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
        now: () => performance.now(),
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
  async typing(to: string): Promise<void> {
    const event = this.chat.live(ChatKind.TYPING, to)
    const devices = await this.devicesOf(to).catch(() => [])
    await Promise.all(devices.map((d) => this.push(d, [event]).catch(() => undefined)))
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer)
    clearTimeout(this.attachTimer)
    this.delivery.stop()
    this.offline.stop()
    // Contacts see us go offline now rather than at their next sweep.
    await this.broadcastPresence(PresenceStatus.OFFLINE).catch(() => undefined)
    await this.opts.device.node.unhandle([ChatProtocols.chat, ChatProtocols.history]).catch(() => undefined)
    this.store.close()
  }

  // ---- network ----------------------------------------------------------------

  private async serveProtocols(): Promise<void> {
    const node = this.opts.device.node
    const onError = (err: unknown) =>
      this.opts.log.debug({ err: (err as Error).message }, 'chat stream failed')
    await serve(node, ChatProtocols.chat, (payload) => Promise.resolve(this.handlePush(payload)), {
      maxRequestBytes: ChatLimits.pushBytes,
      timeoutMs: PUSH_TIMEOUT_MS,
      onError,
    })
    await serve(
      node,
      ChatProtocols.history,
      (payload, conn) => Promise.resolve(this.backfill.handle(payload, conn)),
      {
        maxRequestBytes: ChatLimits.historyRequestBytes,
        timeoutMs: PUSH_TIMEOUT_MS,
        onError,
      },
    )
  }

  private handlePush(payload: Uint8Array): Uint8Array {
    const push = decodeChatPush(payload)
    const { committed, refused, applied, refusals } = this.chat.receive(push.events)
    for (const e of applied) {
      this.lookups.heardFrom(e.from, e.deviceId)
      this.opts.device.paths.noteDevice(e.deviceId, e.from)
      // A contact came online: tell that device our presence too.
      if (e.kind === ChatKind.PRESENCE && e.from !== this.username && !this.told.has(e.deviceId))
        void this.presenceTo(e.from, e.deviceId)
    }
    if (committed.length > 0) this.delivery.kick()
    const none = committed.length === 0 && refused.length === 0
    return ChatAck.encode({
      result: none ? ChatResult.Refused : ChatResult.Ok,
      // Per-event codes are not on the wire: the first refusal's code says why `refused` is not empty.
      code: none ? 'bad_signature' : (refusals[0]?.code ?? ''),
      message: '',
      committed: committed.map((id) => new Uint8Array(id)),
      refused: refused.map((id) => new Uint8Array(id)),
    })
  }

  async push(
    device: Reachable,
    events: Uint8Array[],
  ): Promise<{ committed: Uint8Array[]; refused: Uint8Array[] }> {
    // Direct to a contact's or own device when it can be; through its relay otherwise, and to anyone else.
    await this.opts.device.connect(device)
    return this.pushTo(device.deviceId, events)
  }

  /** Pushes over the open connection to a device (or dials it by peer id). */
  private async pushTo(
    deviceId: string,
    events: Uint8Array[],
  ): Promise<{ committed: Uint8Array[]; refused: Uint8Array[] }> {
    const node = this.opts.device.node
    const peer = peerIdFromString(deviceId)
    const answer = decodeChatAck(
      await request(
        node,
        peer,
        ChatProtocols.chat,
        ChatPush.encode({ events: events.map((e) => new Uint8Array(e)) }),
        {
          timeoutMs: PUSH_TIMEOUT_MS,
          maxResponseBytes: ChatLimits.ackBytes * 4,
        },
      ),
    )
    if (answer.result !== ChatResult.Ok) throw new Error(`push refused: ${answer.message} [${answer.code}]`)
    return { committed: answer.committed, refused: answer.refused }
  }

  /** A user's online devices (directory lookups, cached: lookups.ts). */
  devicesOf(username: string): Promise<Presence[]> {
    return this.lookups.devicesOf(username)
  }

  // ---- presence -----------------------------------------------------------------

  private wireStatus(): PresenceStatus {
    const s = this.status()
    return s === 'invisible' ? PresenceStatus.OFFLINE : (STATUS_NAMES[s] ?? PresenceStatus.ONLINE)
  }

  /** Pushes our presence to every accepted contact's online devices and to our own. */
  async broadcastPresence(status = this.wireStatus()): Promise<void> {
    this.told = new Set()
    const contacts = this.store.contacts(['accepted']).map((c) => c.username)
    await Promise.all([...contacts, this.username].map((u) => this.presenceTo(u, undefined, status)))
  }

  private async presenceTo(username: string, onlyDevice?: string, status = this.wireStatus()): Promise<void> {
    if (onlyDevice !== undefined) {
      // An answer to a device that just told us its presence: its connection is open.
      this.told.add(onlyDevice)
      const event = this.chat.live(ChatKind.PRESENCE, username, status)
      await this.pushTo(onlyDevice, [event]).catch(() => this.told.delete(onlyDevice))
      return
    }
    const devices = (await this.devicesOf(username).catch(() => [])).filter(
      (d) =>
        d.deviceId !== this.opts.device.peerId && (onlyDevice === undefined || d.deviceId === onlyDevice),
    )
    const event = this.chat.live(ChatKind.PRESENCE, username, status)
    await Promise.all(
      devices.map(async (d) => {
        this.told.add(d.deviceId)
        await this.push(d, [event]).catch(() => this.told.delete(d.deviceId))
      }),
    )
  }

  /** Idle → away; contacts whose devices all vanished (crashed) → offline. */
  private async sweep(): Promise<void> {
    if (this.own.tick(Date.now())) {
      this.ownStatusChanged()
      await this.broadcastPresence()
    }
    if (Date.now() - this.lastContactSweep < CONTACT_SWEEP_MS) return
    this.lastContactSweep = Date.now()
    for (const c of this.store.contacts(['accepted'])) {
      if (c.presence === 'offline') continue
      const devices = await this.devicesOf(c.username).catch(() => undefined)
      if (
        devices !== undefined &&
        devices.length === 0 &&
        this.store.setPresence(c.username, 'offline', Date.now())
      )
        this.onNotice({ type: 'presence', username: c.username, status: 'offline' })
    }
  }

  private onNotice(n: ChatNotice): void {
    // A contact accepted here, by them, or on another of our devices (which is how a second
    // device learns of it): tell their devices we are here, and they answer with their presence.
    if (n.type === 'contact' && n.contact.state === 'accepted')
      void this.presenceTo(n.contact.username).catch(() => undefined)
    this.events.emit('notice', n)
  }
}

export { statusName }
