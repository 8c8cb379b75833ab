import { StaleIncarnationError, WrongPeerError } from './errors.js'
import { ACCUSERS_TOLD } from './constants.js'
import { Fifo } from './fifo.js'
import { JoinState } from './join.js'
import { resolveOptions, type Config } from './options.js'
import { Broadcasts, retransmitLimit } from './piggyback.js'
import { ProbeOrder, randomIndex, shuffle } from './probe-order.js'
import { Probes, type Probe } from './probes.js'
import { Relays } from './relays.js'
import { isIncarnation, MemberTable, viewOf, type Member } from './table.js'
import { Budget, selfUpdate, stateDump, syncPage, updateOf } from './updates.js'
import type {
  MemberAnnouncement,
  MembershipEvent,
  MembershipMessage,
  MembershipOptions,
  MembershipRefusal,
  MembershipStats,
  MemberUpdate,
  MemberView,
} from './types.js'

export type Transmit = { to: string; msg: MembershipMessage }

/**
 * Sans-IO SWIM membership of the supernodes: who is alive. The caller feeds
 * messages, timeouts and `now`, and drains what to send and what happened.
 * See docs/membership.md.
 */
export class Membership {
  private readonly cfg: Config
  private readonly random: () => number
  private self: MemberAnnouncement
  private selfSince: number
  private readonly table: MemberTable
  private readonly gossip = new Broadcasts()
  private readonly order: ProbeOrder
  private readonly join: JoinState
  private readonly probes = new Probes()
  private readonly relays: Relays
  private readonly transmits = new Fifo<Transmit>()
  private readonly events = new Fifo<MembershipEvent>()
  private seq = 0
  private nextProbeAt: number
  private nextSyncAt: number
  private syncCursor = ''
  /** The highest incarnation we asked the adapter to refute (one event per incarnation). */
  private refuted = -1
  private left = false
  /** Who told us we were suspected or dead: they hear our refutation first, directly. */
  private accusers: string[] = []

  constructor(opts: MembershipOptions, now: number) {
    this.cfg = resolveOptions(opts)
    this.random = opts.random
    this.self = opts.self
    this.selfSince = now
    this.table = new MemberTable(this.cfg.suspicionTimeoutMs, this.cfg.deadRetentionMs)
    this.order = new ProbeOrder(this.random)
    this.relays = new Relays(this.cfg.maxRelays, this.cfg.probeIntervalMs)
    const seeds = shuffle(
      [...new Set(opts.seeds)].filter((s) => s !== opts.self.peerId),
      this.random,
    )
    this.join = new JoinState(seeds, this.cfg.probeIntervalMs, this.random)
    // Random phases, so that nodes started together do not probe and sync in lockstep.
    this.nextProbeAt = now + this.random() * this.cfg.probeIntervalMs
    this.nextSyncAt = now + this.jitter(this.cfg.syncIntervalMs)
    this.gossip.enqueue(this.self.peerId)
    this.tryJoin(now)
  }

  /**
   * Takes one message from `from` (the authenticated remote peer). Only members
   * speak: a sender we hold no verified announcement of must carry its own, else
   * the whole message is refused and leaves no state behind.
   */
  handleMessage(from: string, msg: MembershipMessage, now: number): MembershipRefusal | undefined {
    if (this.left || from === this.self.peerId) return undefined
    if (this.table.get(from)?.announcement === undefined) {
      const own = msg.updates.find((u) => u.peerId === from && u.announcement?.peerId === from)
      if (own === undefined) return 'not_member'
      this.apply(own, now, msg.kind !== 'sync-reply', from)
      if (this.table.get(from)?.announcement === undefined) return 'not_member'
    }
    const sender = this.table.get(from)
    if (sender !== undefined) sender.introduced = true
    const wasLive = this.table.isLive(from)
    // A sync's state is old news to most members: only a pushing sender's word about
    // itself (a joiner's announcement) is news worth gossiping on.
    const isSync = msg.kind === 'sync' || msg.kind === 'sync-reply'
    for (const u of msg.updates) {
      // A death we never knew the member of, from a sync, is not worth a tombstone: syncs
      // would hand tombstones back and forth, each time restarting their retention.
      const unknown = u.peerId !== this.self.peerId && this.table.get(u.peerId) === undefined
      if (isSync && u.state === 'dead' && unknown) continue
      this.apply(u, now, msg.kind === 'sync' ? u.peerId === from : !isSync, from)
    }
    switch (msg.kind) {
      case 'ping':
        this.send(from, {
          kind: 'ack',
          seq: msg.seq,
          target: this.self.peerId,
          updates: this.piggyback(from),
        })
        return undefined
      case 'ack':
        this.onAck(msg.seq, msg.target)
        return undefined
      case 'ping-req':
        this.onPingReq(from, msg.seq, msg.target, now)
        return undefined
      case 'sync': {
        // A joiner (it pushes only itself) or a member we had given up needs everything
        // at once: as many messages as the wire's cap takes. Otherwise one page.
        if (wasLive && msg.updates.length > 1)
          this.send(from, { kind: 'sync-reply', seq: msg.seq, updates: this.nextSyncPage() })
        else
          for (const updates of stateDump(this.self, this.table, () => this.budget()))
            this.send(from, { kind: 'sync-reply', seq: msg.seq, updates })
        return undefined
      }
      case 'sync-reply':
        this.join.synced()
        return
    }
    return undefined
  }

  handleTimeout(now: number): void {
    if (this.left) return
    const { died, forgotten } = this.table.expire(now)
    for (const rec of died) this.changed(rec, 'dead', true)
    for (const peerId of forgotten) this.gossip.forget(peerId)
    const { failed, indirect } = this.probes.due(now)
    for (const [seq, probe] of indirect) this.probeIndirectly(seq, probe)
    for (const target of failed) {
      const rec = this.table.get(target)
      if (rec !== undefined) rec.introduced = false
      if (rec === undefined || !this.table.suspect(target, now)) continue
      this.changed(rec, 'suspect', true)
      // Probe it again at once: if it is alive after all, this ping tells it it is
      // suspected (recipient first) and its ack brings the refutation back.
      this.probeTarget(target, now)
    }
    this.relays.expire(now)
    if (this.nextProbeAt <= now) {
      this.nextProbeAt = now + this.cfg.probeIntervalMs
      this.probe(now)
    }
    if (this.nextSyncAt <= now) {
      this.nextSyncAt = now + this.jitter(this.cfg.syncIntervalMs)
      // While joining, the join's own backed-off syncs are the only ones.
      if (this.join.done || this.join.seeds.length === 0) this.periodicSync()
    }
    // Knowing nobody alive any more (isolated, or every member died): start over from the seeds.
    if (this.table.live === 0 && this.join.done) this.join.restart(now)
    if (this.join.dueAt(now)) this.tryJoin(now)
  }

  pollTimeout(): number | undefined {
    if (this.left) return undefined
    let t = Math.min(this.nextProbeAt, this.nextSyncAt, this.join.at ?? Infinity)
    t = Math.min(t, this.table.nextDeadline() ?? Infinity)
    t = Math.min(t, this.probes.nextDeadline() ?? Infinity, this.relays.nextExpiry() ?? Infinity)
    return Number.isFinite(t) ? t : undefined
  }

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift()
  }

  pollEvent(): MembershipEvent | undefined {
    return this.events.shift()
  }

  announce(self: MemberAnnouncement, now: number): void {
    if (self.peerId !== this.self.peerId)
      throw new WrongPeerError(`announcement of ${self.peerId}, but this node is ${this.self.peerId}`)
    if (self.incarnation <= this.self.incarnation)
      throw new StaleIncarnationError(
        `incarnation ${self.incarnation} is not above the current ${this.self.incarnation}`,
      )
    this.self = self
    this.selfSince = now
    this.gossip.enqueue(self.peerId)
    // The accusers' suspicion timers are running: do not wait for gossip to reach them.
    // A ping is the message every member answers; its ack's seq is simply not ours to match.
    const accusers = this.accusers
    this.accusers = []
    for (const to of accusers) this.send(to, { kind: 'ping', seq: this.seq++, updates: this.piggyback(to) })
  }

  /**
   * Graceful leave (SIGTERM): tell a few members we are dead at our incarnation,
   * so nobody has to time us out. Coming back takes a higher incarnation.
   */
  leave(_now: number): void {
    if (this.left) return
    const dead: MemberUpdate = { peerId: this.self.peerId, incarnation: this.self.incarnation, state: 'dead' }
    for (const to of this.table.sample(this.cfg.indirectProbes + 1, () => false, this.random))
      this.send(to, { kind: 'ping', seq: this.seq++, updates: [dead] })
    this.left = true
  }

  members(): MemberView[] {
    const out = [this.selfView()]
    for (const rec of this.table.all()) {
      const view = rec.state === 'dead' ? undefined : viewOf(rec)
      if (view !== undefined) out.push(view)
    }
    return out.sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
  }

  member(peerId: string): MemberView | undefined {
    if (peerId === this.self.peerId) return this.selfView()
    const rec = this.table.get(peerId)
    return rec === undefined ? undefined : viewOf(rec)
  }

  /** Sizes of the internal state, for /metrics and for tests of the memory bounds. */
  stats(): MembershipStats {
    let dead = 0
    for (const rec of this.table.all()) if (rec.state === 'dead') dead++
    return {
      live: this.table.live + 1,
      dead,
      probes: this.probes.size,
      relays: this.relays.size,
      gossipQueue: this.gossip.size,
      timers: this.table.pendingTimers,
    }
  }

  unreachable(peerId: string, now: number): void {
    if (this.left) return
    if (this.join.failed(peerId, now)) this.tryJoin(now)
    if (!this.table.isLive(peerId)) return
    // A failed dial is a failed direct ping: go straight to the indirect probes.
    const inFlight = this.probes.find(peerId)
    if (inFlight !== undefined) {
      if (inFlight[1].indirectAt !== undefined) this.probeIndirectly(...inFlight)
      return
    }
    // A relay ping that failed is the requester's probe, already counted there. Were it
    // to start our own indirect probes, each relay would recruit more relays and one
    // crash would cost O(N) messages.
    if (this.relays.relaying(peerId)) return
    const seq = this.seq++
    this.probeIndirectly(seq, this.probes.start(seq, peerId, now, now + this.cfg.probeIntervalMs))
  }

  /**
   * Every member we know already holds our announcement: the simulator's warm
   * start, where nodes begin as after a long quiet time.
   */
  assumeIntroduced(): void {
    for (const rec of this.table.all()) rec.introduced = true
  }

  /**
   * Forgets a member whose announcement no longer verifies (its supernode role was
   * withdrawn, its certificate revoked): reported dead, and it cannot speak until
   * it brings an announcement that verifies again.
   */
  expel(peerId: string): void {
    const rec = this.table.expel(peerId)
    if (rec === undefined) return
    this.gossip.forget(peerId)
    const member = viewOf(rec)
    if (member !== undefined && rec.state !== 'dead')
      this.events.push({ type: 'dead', member: { ...member, state: 'dead' } })
  }

  private apply(u: MemberUpdate, now: number, gossip: boolean, from: string): void {
    if (u.peerId === this.self.peerId) return this.aboutSelf(u, from)
    const change = this.table.apply(u, now, from)
    if (change === undefined) return
    const rec = this.table.get(u.peerId)
    if (rec === undefined) return
    if (change === 'joined') this.order.add(rec.peerId)
    this.changed(rec, change, gossip)
  }

  /** Others' word about us: only a suspicion, a death or a newer announcement matters. */
  private aboutSelf(u: MemberUpdate, from: string): void {
    // Only our own signature proves an incarnation above ours (one from before a restart);
    // an unsigned one above ours is a lie, and refuting it needs only ours + 1.
    const signed = u.announcement?.incarnation ?? -1
    const inc =
      u.state === 'alive' ? signed : Math.max(signed, Math.min(u.incarnation, this.self.incarnation))
    if (!isIncarnation(inc)) return
    const stale = u.state === 'alive' ? inc > this.self.incarnation : inc >= this.self.incarnation
    if (!stale) return
    if (this.accusers.length < ACCUSERS_TOLD && !this.accusers.includes(from)) this.accusers.push(from)
    if (inc <= this.refuted) return
    this.refuted = inc
    this.events.push({ type: 'refute', incarnation: inc })
  }

  private changed(rec: Member, type: 'joined' | 'updated' | 'suspect' | 'alive' | 'dead', gossip: boolean) {
    if (gossip) this.gossip.enqueue(rec.peerId)
    const member = viewOf(rec)
    if (member !== undefined) this.events.push({ type, member })
  }

  private probe(now: number): void {
    const busy = this.probes.targets()
    const target = this.order.next(
      (id) => this.table.isLive(id) && !busy.has(id),
      () => this.table.liveIds(),
    )
    if (target !== undefined) this.probeTarget(target, now)
  }

  private probeTarget(target: string, now: number): void {
    const seq = this.seq++
    this.probes.start(seq, target, now + this.cfg.probeTimeoutMs, now + this.cfg.probeIntervalMs)
    this.send(target, { kind: 'ping', seq, updates: this.piggyback(target) })
  }

  private probeIndirectly(seq: number, probe: Probe): void {
    probe.indirectAt = undefined
    for (const via of this.table.sample(this.cfg.indirectProbes, (id) => id === probe.target, this.random))
      this.send(via, { kind: 'ping-req', seq, target: probe.target, updates: this.piggyback(via) })
  }

  private onAck(seq: number, target: string): void {
    if (this.probes.acked(seq, target)) return
    const relay = this.relays.answer(seq, target)
    if (relay === undefined) return
    this.send(relay.requester, {
      kind: 'ack',
      seq: relay.seq,
      target,
      updates: this.piggyback(relay.requester),
    })
  }

  private onPingReq(from: string, seq: number, target: string, now: number): void {
    if (target === this.self.peerId) {
      this.send(from, { kind: 'ack', seq, target, updates: this.piggyback(from) })
      return
    }
    // Only members we can name an address for, and a bounded number at a time.
    if (target === from || this.table.get(target)?.announcement === undefined) return
    const own = this.seq++
    if (!this.relays.add(own, from, seq, target, now)) return
    this.send(target, { kind: 'ping', seq: own, updates: this.piggyback(target) })
  }

  private tryJoin(now: number): void {
    const seed = this.join.next(now)
    if (seed !== undefined)
      this.send(seed, { kind: 'sync', seq: this.seq++, updates: [selfUpdate(this.self)] })
  }

  private periodicSync(): void {
    const candidates = [...new Set([...this.table.liveIds(), ...this.join.seeds])]
    const to = candidates[randomIndex(this.random, candidates.length)]
    if (to !== undefined) this.send(to, { kind: 'sync', seq: this.seq++, updates: this.nextSyncPage() })
  }

  /** Piggybacked news for `to`: first what it must refute about itself, then the gossip queue. */
  private piggyback(to: string): MemberUpdate[] {
    const room = this.budget()
    const out: MemberUpdate[] = []
    const about = this.table.get(to)
    if (about !== undefined && about.state !== 'alive') {
      const u = updateOf(about, false)
      if (room.fits(u)) out.push(u)
    }
    let introduce = false
    if (about !== undefined && about.introduced !== true) {
      const u = selfUpdate(this.self)
      introduce = room.fits(u)
      if (introduce) out.push(u)
      about.introduced = introduce
    }
    const limit = retransmitLimit(this.cfg.retransmitMultiplier, this.table.live + 1)
    const news = this.gossip.take(this.cfg.maxPiggyback - out.length, limit, (id) => {
      if (id === to || (introduce && id === this.self.peerId)) return undefined
      const rec = this.table.get(id)
      const u = id === this.self.peerId ? selfUpdate(this.self) : rec && updateOf(rec, false)
      return u !== undefined && room.fits(u) ? u : undefined
    })
    return out.concat(news)
  }

  private nextSyncPage(): MemberUpdate[] {
    const page = syncPage(this.self, this.table, this.cfg.syncMaxUpdates, this.budget(), this.syncCursor)
    this.syncCursor = page.cursor
    return page.updates
  }

  private budget(): Budget {
    return new Budget(this.cfg.maxMessageUpdates, this.cfg.maxMessageBytes)
  }

  private selfView(): MemberView {
    const { peerId, incarnation } = this.self
    return { peerId, state: 'alive', incarnation, announcement: this.self, since: this.selfSince }
  }

  /** Uniform in [0.5, 1.5) x mean: spreads periodic work without changing its rate. */
  private jitter(mean: number): number {
    return mean * (0.5 + this.random())
  }

  private send(to: string, msg: MembershipMessage): void {
    if (to !== this.self.peerId) this.transmits.push({ to, msg })
  }
}
