/**
 * Runs the sans-IO Membership core on libp2p: verifies every announcement
 * before the core sees it, sends what the core emits (a send that cannot be
 * delivered in time counts as a failed probe), and wakes it on its timers.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
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
  /** Signs our next announcement at the given incarnation. */
  reannounce: (incarnation: number) => MemberAnnouncement
  onEvent: (event: MembershipEvent) => void
}

export class MembershipAdapter {
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly init: MembershipAdapterInit) {}

  /** Turns a signed announcement into what the core needs, or undefined when it does not verify. */
  readAnnouncement(bytes: Uint8Array): MemberAnnouncement | undefined {
    try {
      const t = this.init.trust
      const a = verifyAnnouncement(bytes, {
        ...t.verifyOptions(Date.now()),
        bannedVersions: t.config.policies.supernodeBannedVersions,
        minClientVersion: t.config.minClientVersion,
      })
      return { ...a, mega: this.init.isMega(a.peerId) }
    } catch (err) {
      this.init.log.debug({ err: (err as Error).message }, 'announcement refused')
      return undefined
    }
  }

  handle(payload: Uint8Array, connection: Connection): undefined {
    const wire = decodeMembershipMessage(payload)
    const updates: MemberUpdate[] = []
    for (const u of wire.updates) {
      let announcement: MemberAnnouncement | undefined
      if (u.announcement.byteLength > 0) {
        announcement = this.readAnnouncement(u.announcement)
        if (announcement === undefined || announcement.peerId !== u.peerId) continue
      }
      updates.push({
        peerId: u.peerId,
        incarnation: Number(u.incarnation),
        state: STATES[u.state] ?? 'alive',
        announcement,
      })
    }
    const kind = WIRE_TO_KIND[wire.kind]
    if (kind === undefined || kind === '') return undefined
    const seq = Number(wire.seq)
    const msg = (
      kind === 'ack' || kind === 'ping-req'
        ? { kind, seq, target: wire.target, updates }
        : { kind, seq, updates }
    ) as MembershipMessage
    this.init.core.handleMessage(connection.remotePeer.toString(), msg, Date.now())
    this.pump()
    return undefined
  }

  addrsOf(peerId: string): Multiaddr[] {
    const known = this.init.core.member(peerId)?.announcement.addrs ?? this.init.seedAddrs(peerId)
    return known.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`))
  }

  start(): void {
    this.pump()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** Drains what the core wants sent and reported, then sleeps until its next deadline. */
  pump(): void {
    if (this.stopped) return
    const core = this.init.core
    const now = Date.now()
    core.handleTimeout(now)
    for (let t = core.pollTransmit(); t !== undefined; t = core.pollTransmit()) this.transmit(t.to, t.msg)
    for (let e = core.pollEvent(); e !== undefined; e = core.pollEvent()) {
      if (e.type === 'refute') core.announce(this.init.reannounce(e.incarnation + 1), Date.now())
      this.init.onEvent(e)
    }
    this.init.metrics.members.set(core.members().filter((m) => m.state !== 'dead').length)
    clearTimeout(this.timer)
    const at = core.pollTimeout()
    if (at !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()))
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
