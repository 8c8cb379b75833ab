import TinyQueue from 'tinyqueue'
import { Membership } from './membership.js'
import { seededRandom } from './prng.js'
import { messageBytes } from './upkeep.js'
import type { MemberAnnouncement, MembershipEvent, MembershipMessage, MembershipOptions } from './types.js'

/**
 * A deterministic simulator of N Membership cores: seeded randomness, a
 * virtual clock, per-message delay and loss, killed nodes (a dial to them
 * fails) and frozen ones (SIGSTOP: everything sent to them vanishes). It plays
 * the adapter's part: delivers transmits, reports failed dials with
 * unreachable(), and answers 'refute' with a new announcement.
 */
export interface SimOptions {
  seed: number
  /** One-way delay, uniform in [min, max] ms: messages reorder. Default [5, 30]. */
  delayMs?: [number, number]
  /** Probability that a message is lost. Default 0. */
  loss?: number
  /** How long a send to a killed node takes to fail. Default 50 ms. */
  dialFailMs?: number
  /** Protocol options for every node. */
  membership?: Omit<Partial<MembershipOptions>, 'self' | 'seeds' | 'random'>
  /** Every event of every node; the default keeps only counts and deaths. */
  onEvent?: (observer: string, event: MembershipEvent, now: number) => void
}

export type NodeStatus = 'up' | 'frozen' | 'killed'

export interface SimNode {
  id: string
  core: Membership
  self: MemberAnnouncement
  status: NodeStatus
  wakeAt: number | undefined
  bytesSent: number
}

type Job =
  | { at: number; seq: number; type: 'deliver'; from: string; to: string; msg: MembershipMessage }
  | { at: number; seq: number; type: 'wake'; node: string }
  | { at: number; seq: number; type: 'unreachable'; node: string; peer: string }
  | { at: number; seq: number; type: 'churn'; everyMs: number; seeds: string[]; join: boolean }

export interface Death {
  at: number
  observer: string
  peer: string
}

const NO_BYTES = new Uint8Array(0)
const NO_TRAFFIC = { ping: 0, ack: 0, 'ping-req': 0, sync: 0, 'sync-reply': 0 }

export function announcementFor(peerId: string, incarnation = 1, mega = false): MemberAnnouncement {
  const addrs = [`/dns4/${peerId}.sim/tcp/4001`]
  return {
    peerId,
    username: 'sim',
    incarnation,
    addrs,
    capacity: 1000,
    load: 0,
    mega,
    version: 'sim',
    bytes: NO_BYTES,
  }
}

export class Sim {
  now = 0
  readonly nodes = new Map<string, SimNode>()
  readonly deaths: Death[] = []
  readonly counts = { messages: 0, lost: 0, suspect: 0, refute: 0, dead: 0 }
  /** Bytes sent by message kind since the last resetCounters(). */
  readonly traffic: Record<MembershipMessage['kind'], number> = { ...NO_TRAFFIC }
  private readonly random: () => number
  /** Due jobs by (at, seq): equal times run in insertion order, so runs are deterministic. */
  private readonly jobs = new TinyQueue<Job>([], (a, b) => a.at - b.at || a.seq - b.seq)
  private readonly cuts = new Set<string>()
  private seq = 0
  private nodeSeed = 0
  private joiners = 0

  constructor(readonly opts: SimOptions) {
    this.random = seededRandom(opts.seed)
  }

  addNode(id: string, seeds: string[], mega = false): SimNode {
    const self = announcementFor(id, 1, mega)
    const core = new Membership(this.coreOptions(self, seeds), this.now)
    const node: SimNode = { id, core, self, status: 'up', wakeAt: undefined, bytesSent: 0 }
    this.nodes.set(id, node)
    this.pump(node)
    return node
  }

  /**
   * N nodes that already know each other, as after a long quiet time: each
   * gets the full state as a sync reply, and nothing of it is counted as sent.
   */
  warmStart(ids: string[], seeds: string[]): void {
    const updates = ids.map((id) => ({
      peerId: id,
      incarnation: 1,
      state: 'alive' as const,
      announcement: announcementFor(id, 1, seeds.includes(id)),
    }))
    for (const [i, id] of ids.entries()) {
      const self = updates[i]?.announcement ?? announcementFor(id)
      const core = new Membership(this.coreOptions(self, seeds), this.now)
      while (core.pollTransmit() !== undefined);
      const from = id === ids[0] ? ids[1] : ids[0]
      core.handleMessage(from ?? id, { kind: 'sync-reply', seq: 0, updates }, this.now)
      core.assumeIntroduced()
      while (core.pollEvent() !== undefined);
      const node: SimNode = { id, core, self, status: 'up', wakeAt: undefined, bytesSent: 0 }
      this.nodes.set(id, node)
      this.pump(node)
    }
  }

  kill(id: string): void {
    const node = this.nodes.get(id)
    if (node !== undefined) node.status = 'killed'
  }

  freeze(id: string): void {
    const node = this.nodes.get(id)
    if (node?.status === 'up') node.status = 'frozen'
  }

  thaw(id: string): void {
    const node = this.nodes.get(id)
    if (node?.status !== 'frozen') return
    node.status = 'up'
    // Its pending wake-up passed while it was frozen.
    node.wakeAt = undefined
    node.core.handleTimeout(this.now)
    this.pump(node)
  }

  /** Break (or, with false, repair) the direct link between a and b: messages vanish silently. */
  cut(a: string, b: string, broken = true): void {
    for (const key of [`${a}>${b}`, `${b}>${a}`]) {
      if (broken) this.cuts.add(key)
      else this.cuts.delete(key)
    }
  }

  /**
   * Churn at `perSec` events a second network-wide, alternating a crash (a
   * random live node that is not a seed is killed) and a join (a new node
   * syncs with a seed), so the size stays put.
   */
  startChurn(perSec: number, seeds: string[]): void {
    const everyMs = 1000 / perSec
    this.jobs.push({ at: this.now + everyMs, seq: this.seq++, type: 'churn', everyMs, seeds, join: false })
  }

  live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.status === 'up')
  }

  resetCounters(): void {
    for (const node of this.nodes.values()) node.bytesSent = 0
    Object.assign(this.traffic, NO_TRAFFIC)
  }

  run(untilMs: number): void {
    for (let job = this.jobs.peek(); job !== undefined && job.at <= untilMs; job = this.jobs.peek()) {
      this.jobs.pop()
      this.now = job.at
      this.perform(job)
    }
    this.now = Math.max(this.now, untilMs)
  }

  runFor(ms: number): void {
    this.run(this.now + ms)
  }

  private perform(job: Job): void {
    if (job.type === 'churn') return this.churn(job)
    if (job.type === 'deliver') {
      const node = this.nodes.get(job.to)
      if (node?.status !== 'up') return
      node.core.handleMessage(job.from, job.msg, this.now)
      return this.pump(node)
    }
    const node = this.nodes.get(job.node)
    if (node?.status !== 'up') return
    if (job.type === 'unreachable') node.core.unreachable(job.peer, this.now)
    else if (node.wakeAt !== job.at) return
    else {
      node.wakeAt = undefined
      node.core.handleTimeout(this.now)
    }
    this.pump(node)
  }

  private churn(job: Job & { type: 'churn' }): void {
    if (job.join) this.addNode(`joiner-${this.joiners++}`, job.seeds)
    else {
      const candidates = this.live().filter((n) => !job.seeds.includes(n.id))
      const victim = candidates[Math.floor(this.random() * candidates.length)]
      if (victim !== undefined) this.kill(victim.id)
    }
    this.jobs.push({ ...job, at: this.now + job.everyMs, seq: this.seq++, join: !job.join })
  }

  /** Runs the adapter's side after the core was fed: sends, events, the next wake-up. */
  private pump(node: SimNode): void {
    for (let t = node.core.pollTransmit(); t !== undefined; t = node.core.pollTransmit())
      this.send(node, t.to, t.msg)
    for (let e = node.core.pollEvent(); e !== undefined; e = node.core.pollEvent()) this.observe(node, e)
    const at = node.core.pollTimeout()
    if (at === undefined || at === node.wakeAt) return
    node.wakeAt = at
    this.jobs.push({ at: Math.max(at, this.now), seq: this.seq++, type: 'wake', node: node.id })
  }

  private send(from: SimNode, to: string, msg: MembershipMessage): void {
    const bytes = messageBytes(msg)
    from.bytesSent += bytes
    this.traffic[msg.kind] += bytes
    this.counts.messages++
    const target = this.nodes.get(to)
    if (target === undefined || target.status === 'killed') {
      const at = this.now + (this.opts.dialFailMs ?? 50)
      this.jobs.push({ at, seq: this.seq++, type: 'unreachable', node: from.id, peer: to })
      return
    }
    if (this.cuts.has(`${from.id}>${to}`) || this.random() < (this.opts.loss ?? 0)) {
      this.counts.lost++
      return
    }
    const [min, max] = this.opts.delayMs ?? [5, 30]
    const at = this.now + min + this.random() * (max - min)
    this.jobs.push({ at, seq: this.seq++, type: 'deliver', from: from.id, to, msg })
  }

  private observe(node: SimNode, event: MembershipEvent): void {
    this.opts.onEvent?.(node.id, event, this.now)
    if (event.type === 'refute') {
      this.counts.refute++
      node.self = { ...node.self, incarnation: event.incarnation + 1 }
      node.core.announce(node.self, this.now)
    } else if (event.type === 'suspect') this.counts.suspect++
    else if (event.type === 'dead') {
      this.counts.dead++
      this.deaths.push({ at: this.now, observer: node.id, peer: event.member.peerId })
    }
  }

  private coreOptions(self: MemberAnnouncement, seeds: string[]): MembershipOptions {
    const random = seededRandom(this.opts.seed * 7919 + ++this.nodeSeed)
    return { ...this.opts.membership, self, seeds, random }
  }
}
