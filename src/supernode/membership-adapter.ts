/**
 * Runs the sans-IO Membership core on libp2p: verifies every announcement
 * before the core sees it, sends what the core emits (a send that cannot be
 * delivered in time counts as a failed probe), and wakes it on its timers.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { RateLimiter, type Rate } from '../authority/rate-limit.js'
import type { Logger } from '../log/logger.js'
import type { Refusals } from '../log/refusals.js'
import type { Membership } from '../membership/membership.js'
import type {
  MemberAnnouncement,
  MembershipEvent,
  MembershipMessage,
  MemberState,
  MemberUpdate,
} from '../membership/types.js'
import { send } from '../net/rpc.js'
import { verifyAnnouncement } from '../trust/announcement.js'
import { plain } from '../wire/bytes.js'
import { ErrorCode } from '../wire/error-codes.js'
import { decodeMembershipMessage, MembershipKind, MembershipMessage as WireMessage } from '../wire/overlay.js'
import type { SupernodeMetrics } from './metrics.js'
import { Deadlines, Protocols } from './protocols.js'
import type { TrustState } from './trust-state.js'

const KIND_TO_WIRE = { ping: 1, ack: 2, 'ping-req': 3, sync: 4, 'sync-reply': 5 } as const
const WIRE_TO_KIND = ['', 'ping', 'ack', 'ping-req', 'sync', 'sync-reply'] as const
const STATES: MemberState[] = ['alive', 'suspect', 'dead']

export interface MembershipAdapterInit {
  node: Libp2p
  core: Membership
  trust: TrustState
  metrics: SupernodeMetrics
  log: Logger
  /** Peer ids of the mega-supernodes (the config's seeds). */
  isMega: (peerId: string) => boolean
  /** Addresses for peers known only from the config (seeds before their first announcement). */
  seedAddrs: (peerId: string) => string[]
  /** Our own peer id. */
  self: string
  /** Counts every refusal, logs each (code, peer) once. */
  refusals: Refusals
  /** Signs our next announcement at the given incarnation. */
  reannounce: (incarnation: number) => MemberAnnouncement
  onEvent: (event: MembershipEvent) => void
}

/** Membership messages one member may send: honest ones send a few a second. */
export const MEMBER_RATE: Rate = { burst: 100, refillMs: 20 }
/**
 * What every peer we hold no announcement of shares (joiners, and throwaway keys):
 * one bucket, so that strangers create no state here.
 */
export const STRANGER_RATE: Rate = { burst: 100, refillMs: 10 }
/** How often the members' announcements are checked again against revocations and expiry. */
export const RECHECK_MS = 5_000

export class MembershipAdapter {
  private timer: NodeJS.Timeout | undefined
  private recheckTimer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly memberRate = new RateLimiter(MEMBER_RATE, 4096)
  private readonly strangerRate = new RateLimiter(STRANGER_RATE, 1)
  /** Each member's addresses, parsed, for as long as its announcement is the one held. */
  private readonly parsed = new WeakMap<MemberAnnouncement, Multiaddr[]>()

  constructor(private readonly init: MembershipAdapterInit) {}

  /** Turns a signed announcement into what the core needs, or undefined when it does not verify. */
  readAnnouncement(bytes: Uint8Array): MemberAnnouncement | undefined {
    return this.verify(bytes).announcement
  }

  private verify(bytes: Uint8Array): { announcement?: MemberAnnouncement; code?: string; reason?: string } {
    try {
      const t = this.init.trust
      const a = verifyAnnouncement(bytes, {
        ...t.verifyOptions(Date.now()),
        bannedVersions: t.config.policies.supernodeBannedVersions,
        minClientVersion: t.config.minClientVersion,
      })
      return { announcement: { ...a, mega: this.init.isMega(a.peerId) } }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      return { code: typeof code === 'string' ? code : ErrorCode.Malformed, reason: (err as Error).message }
    }
  }

  /**
   * One inbound message. The cheap checks come first (rate, decoding, is the sender a
   * member at all), then only the signatures that could change what we know. A refusal
   * is counted and logged once per peer; a malformed message fails its stream.
   */
  handle(payload: Uint8Array, connection: Connection): undefined {
    const from = connection.remotePeer.toString()
    const now = Date.now()
    const core = this.init.core
    const known = core.member(from) !== undefined
    const admitted = known ? this.memberRate.take(from, now) : this.strangerRate.take('', now)
    if (!admitted.ok) return this.refuse(ErrorCode.PeerRateLimited, from)
    const wire = decodeMembershipMessage(payload)
    const kind = WIRE_TO_KIND[wire.kind]
    if (kind === undefined || kind === '') return undefined
    if (!known) {
      // A stranger must bring its own announcement; nothing else is read before it verifies.
      const own = wire.updates.find((u) => u.peerId === from && u.announcement.byteLength > 0)
      const checked = own === undefined ? { code: ErrorCode.NotMember } : this.verify(own.announcement)
      if (checked.announcement?.peerId !== from)
        return this.refuse(ErrorCode.NotMember, from, checked.reason ?? 'no verified announcement of its own')
    }
    const updates: MemberUpdate[] = []
    for (const u of wire.updates) {
      const incarnation = Number(u.incarnation)
      let announcement: MemberAnnouncement | undefined
      if (u.announcement.byteLength > 0 && this.mayBeNews(u.peerId, incarnation)) {
        announcement = this.readAnnouncement(u.announcement)
        if (announcement === undefined || announcement.peerId !== u.peerId) continue
      }
      updates.push({ peerId: u.peerId, incarnation, state: STATES[u.state] ?? 'alive', announcement })
    }
    const seq = Number(wire.seq)
    const msg = (
      kind === 'ack' || kind === 'ping-req'
        ? { kind, seq, target: wire.target, updates }
        : { kind, seq, updates }
    ) as MembershipMessage
    const refusal = core.handleMessage(from, msg, now)
    if (refusal !== undefined) return this.refuse(refusal, from)
    this.pump()
    return undefined
  }

  /** An announcement not above the incarnation we hold cannot change anything: skip its signatures. */
  private mayBeNews(peerId: string, incarnation: number): boolean {
    const held = this.init.core.member(peerId)
    return held === undefined || incarnation > held.announcement.incarnation
  }

  private refuse(code: string, peer: string, detail?: string): undefined {
    this.init.refusals.refuse('membership', code, peer, detail)
    return undefined
  }

  /** Members whose announcement no longer verifies (revoked, role withdrawn, expired) are expelled. */
  recheck(): void {
    const core = this.init.core
    for (const m of core.members()) {
      if (m.peerId === this.init.self) continue
      const checked = this.verify(m.announcement.bytes)
      if (checked.announcement !== undefined) continue
      this.init.log.warn({ peer: m.peerId, code: checked.code, reason: checked.reason }, 'member expelled')
      core.expel(m.peerId)
    }
    this.pump()
  }

  /**
   * Where to reach a member: parsed once per announcement (parsing multiaddrs was a visible share of an
   * idle supernode's profile, as every probe and every directory request asked again).
   */
  addrsOf(peerId: string): Multiaddr[] {
    const announcement = this.init.core.member(peerId)?.announcement
    if (announcement === undefined) return withPeer(this.init.seedAddrs(peerId), peerId)
    let addrs = this.parsed.get(announcement)
    if (addrs === undefined) this.parsed.set(announcement, (addrs = withPeer(announcement.addrs, peerId)))
    return addrs
  }

  start(): void {
    this.pump()
    this.recheckTimer = setInterval(() => {
      try {
        this.recheck()
      } catch (err) {
        this.init.log.error({ err }, 'membership recheck failed')
      }
    }, RECHECK_MS)
    this.recheckTimer.unref()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearInterval(this.recheckTimer)
  }

  /**
   * Drains what the core wants sent and reported, then sleeps until its next deadline.
   * It runs from timers and handlers: whatever fails in one round is logged, and the
   * next round is still scheduled (rule 1: no timer throws the process down).
   */
  pump(): void {
    if (this.stopped) return
    const core = this.init.core
    try {
      const now = Date.now()
      core.handleTimeout(now)
      for (let t = core.pollTransmit(); t !== undefined; t = core.pollTransmit()) this.transmit(t.to, t.msg)
      for (let e = core.pollEvent(); e !== undefined; e = core.pollEvent()) {
        if (e.type === 'refute') this.refute(e.incarnation)
        else this.init.onEvent(e)
      }
      const stats = core.stats()
      this.init.metrics.members.set(stats.live)
      this.init.metrics.membershipDead.set(stats.dead)
    } catch (err) {
      this.init.log.error({ err }, 'membership round failed')
    }
    clearTimeout(this.timer)
    const at = core.pollTimeout()
    if (at !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()))
  }

  /** Others suspect us at `incarnation` (the core never passes one we did not sign): top it. */
  private refute(incarnation: number): void {
    const next = this.init.reannounce(incarnation + 1)
    if (next.incarnation > (this.init.core.member(this.init.self)?.incarnation ?? -1))
      this.init.core.announce(next, Date.now())
  }

  private transmit(to: string, msg: MembershipMessage): void {
    const bytes = WireMessage.encode({
      kind: KIND_TO_WIRE[msg.kind] ?? MembershipKind.Ping,
      seq: BigInt(msg.seq),
      target: 'target' in msg ? msg.target : '',
      updates: msg.updates.map((u) => ({
        peerId: u.peerId,
        incarnation: BigInt(u.incarnation),
        state: STATES.indexOf(u.state),
        announcement: plain(u.announcement?.bytes ?? new Uint8Array()),
      })),
    })
    this.init.metrics.membershipBytes.inc(bytes.byteLength)
    const addrs = this.addrsOf(to)
    if (addrs.length === 0) {
      this.init.core.unreachable(to, Date.now())
      return
    }
    send(this.init.node, addrs, Protocols.membership, bytes, Deadlines.membershipSendMs).catch(() => {
      this.init.core.unreachable(to, Date.now())
      this.pump()
    })
  }
}

function withPeer(addrs: readonly string[], peerId: string): Multiaddr[] {
  return addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`))
}
