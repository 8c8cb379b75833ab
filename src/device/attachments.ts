/**
 * Runs the sans-IO Attacher on libp2p: dials the supernodes it picks, asks
 * them to attach, reserves a relay slot on each, and reports losses. The
 * host cache is persisted in the profile, seeded from the config's
 * mega-supernodes, and added to from supernodes' hints once their signed
 * announcements verify (attach-client.ts); the core decides what they may
 * change (attach/hints.ts).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Attacher, type Refusal } from '../attach/attacher.js'
import { HostCache, type HostEntry } from '../attach/host-cache.js'
import type { AttachmentChange } from './publisher.js'
import type { Logger } from '../log/logger.js'
import { canMuxerPing, LivenessError, muxerPing } from '../net/liveness.js'
import type { Certificate } from '../trust/certificate.js'
import type { NetworkConfig } from '../trust/network-config.js'
import { AttachResult } from '../wire/overlay.js'
import { askToAttach, AttachProofError, type AttachOutcome } from './attach-client.js'
import { ProofRefusals, type ProofOptions } from './hint-proofs.js'

export interface SupernodeLink {
  peerId: string
  addrs: Multiaddr[]
  load: number
  capacity: number
  since: number
}

export interface AttachmentsInit {
  node: Libp2p
  dir: string
  certificate: () => Uint8Array
  config: NetworkConfig
  log: Logger
  /** Revocations the device holds, if any: a revoked supernode's proofs are refused. */
  isRevoked?: (deviceId: string, serial: bigint) => boolean
  /** The grant list the device holds, if any: a supernode whose grant was withdrawn is refused and left. */
  isGranted?: (certificate: Certificate) => boolean
  target?: number
  /**
   * Tests only: re-attach within seconds instead of the production spread
   * (refills over 30 s, attachments stable after 30 s), which is what keeps a
   * network that lost supernodes from storming the rest.
   */
  fastReattach?: boolean
  /** An attachment to `peerId` came or went: the device publishes its record again (publisher.ts). */
  onChange: (change: AttachmentChange, peerId: string) => void
}

const MEGA_CAPACITY = 100_000
const FAST_REATTACH = { refillSpreadMs: 2_000, stableAfterMs: 2_000 }
/**
 * A frozen supernode keeps its TCP connection open: only a failed ping tells.
 * The ping is the muxer's own frame (net/liveness.ts), not a ping stream, so
 * this cadence costs two small frames per link, not a stream negotiation.
 */
export const KEEPALIVE_MS = 2_000
export const KEEPALIVE_TIMEOUT_MS = 1_500
/** How often a device refreshes its supernodes' load and its list of live supernodes. */
export const REFRESH_MS = 20_000
const SAVE_AFTER_MS = 5_000
/** The host cache is written here first, then renamed over hosts.json. */
const HOSTS_TMP = '.hosts.json.tmp'

export class Attachments {
  readonly links = new Map<string, SupernodeLink>()
  private readonly cache: HostCache
  private readonly core: Attacher
  private timer: NodeJS.Timeout | undefined
  private saveTimer: NodeJS.Timeout | undefined
  private saving: Promise<void> | undefined
  private keepalive: NodeJS.Timeout | undefined
  private refresher: NodeJS.Timeout | undefined
  private readonly misses = new Map<string, number>()
  private readonly refusals: ProofRefusals
  /** Which link the next refresh asks: each in turn, so every attachment's view is heard. */
  private refreshTurn = 0
  private stopped = false

  constructor(private readonly init: AttachmentsInit) {
    this.refusals = new ProofRefusals(init.log)
    this.cache = new HostCache({}, this.loadCache())
    for (const seed of init.config.seeds) {
      this.cache.upsert(
        { peerId: seed.peerId, addrs: seed.addrs, load: 0, capacity: MEGA_CAPACITY, mega: true },
        Date.now(),
      )
    }
    this.core = new Attacher(
      {
        cache: this.cache,
        target: init.target ?? 2,
        random: Math.random,
        ...(init.fastReattach === true ? FAST_REATTACH : {}),
      },
      Date.now(),
    )
    init.node.addEventListener('connection:close', (evt) => {
      const peer = evt.detail.remotePeer.toString()
      if (this.links.has(peer) && init.node.getConnections(evt.detail.remotePeer).length === 0) {
        this.links.delete(peer)
        this.core.onLost(peer, Date.now())
        init.log.info({ supernode: peer }, 'lost a supernode; attaching elsewhere')
        this.init.onChange('lost', peer)
        this.pump()
      }
    })
  }

  start(): void {
    this.pump()
    this.keepalive = setInterval(() => void this.checkLinks(), KEEPALIVE_MS)
    this.refresher = setInterval(
      () => void this.refresh(),
      this.init.fastReattach === true ? 3_000 : REFRESH_MS,
    )
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    clearInterval(this.keepalive)
    clearInterval(this.refresher)
    clearTimeout(this.saveTimer)
    // A save still out (a stalled disk) keeps the file; writing the same temporary file beside it would race.
    if (this.saving === undefined) this.saveCache()
  }

  /** Pings every attached supernode; one that misses two pings in a row is dropped and replaced. */
  private async checkLinks(): Promise<void> {
    await Promise.all(
      [...this.links.values()].map(async (link) => {
        try {
          await this.ping(link)
          this.misses.delete(link.peerId)
        } catch {
          // One slow answer on a busy machine is not a dead supernode; two in a row are.
          const misses = (this.misses.get(link.peerId) ?? 0) + 1
          this.misses.set(link.peerId, misses)
          if (misses < 2) return
          this.misses.delete(link.peerId)
          if (!this.links.delete(link.peerId)) return
          this.init.log.info({ supernode: link.peerId }, 'supernode stopped answering; attaching elsewhere')
          this.core.onLost(link.peerId, Date.now())
          void this.init.node.hangUp(link.addrs[0] ?? multiaddr(`/p2p/${link.peerId}`)).catch(() => undefined)
          this.init.onChange('lost', link.peerId)
          this.pump()
        }
      }),
    )
  }

  /**
   * A muxer ping on the link's connection. Never dials: a link whose
   * connection closed is handled by the close listener, and one that has none
   * open here is a miss.
   */
  private async ping(link: SupernodeLink): Promise<void> {
    const connection = this.init.node
      .getConnections(peerIdFromString(link.peerId))
      .find((c) => c.status === 'open')
    if (connection === undefined) throw new LivenessError('no open connection')
    if (canMuxerPing(connection)) {
      await muxerPing(connection, KEEPALIVE_TIMEOUT_MS)
      return
    }
    const ping = (
      this.init.node as unknown as { services: { ping: { ping(p: unknown, o: object): Promise<number> } } }
    ).services.ping
    await ping.ping(connection.remotePeer, { signal: AbortSignal.timeout(KEEPALIVE_TIMEOUT_MS) })
  }

  /** Asks one attached supernode again (idempotent): fresh load figures and fresh signed hints. */
  private async refresh(): Promise<void> {
    const links = [...this.links.values()]
    const link = links[this.refreshTurn++ % Math.max(1, links.length)]
    if (link !== undefined) await this.reask(link)
  }

  /**
   * Asks every attached supernode again now: called when a newer revocation
   * or grant list arrived, so a supernode it names is left within the minute.
   */
  async recheck(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => this.reask(link)))
  }

  private async reask(link: SupernodeLink): Promise<void> {
    try {
      const answer = await this.ask(link.peerId, link.addrs)
      if (answer.result !== AttachResult.Attached) return
      link.load = answer.load
      link.capacity = answer.capacity
      this.learn(link.peerId, answer)
      this.scheduleSave()
      this.pump()
    } catch (err) {
      // The keepalive decides whether an unanswered link is lost; one that no longer proves its role is left.
      if (err instanceof AttachProofError) this.leave(link, err)
    }
  }

  /** The supernode's own announcement stopped verifying (grant withdrawn, revoked, expired): leave it. */
  private leave(link: SupernodeLink, err: AttachProofError): void {
    this.refusals.note(link.peerId, new Map([[err.code, 1]]))
    if (!this.links.delete(link.peerId)) return
    this.init.log.warn(
      { supernode: link.peerId, code: err.code },
      'supernode no longer proves its role; leaving it',
    )
    this.core.onRefused(link.peerId, err.code, Date.now(), err.message)
    void this.init.node.hangUp(link.addrs[0] ?? multiaddr(`/p2p/${link.peerId}`)).catch(() => undefined)
    this.init.onChange('lost', link.peerId)
    this.pump()
  }

  private ask(peerId: string, targets: Multiaddr[]): Promise<AttachOutcome> {
    return askToAttach({
      node: this.init.node,
      peerId,
      targets,
      certificate: this.init.certificate(),
      proofs: () => this.proofOptions(),
    })
  }

  private proofOptions(): ProofOptions {
    return {
      config: this.init.config,
      now: Date.now(),
      ...(this.init.isRevoked === undefined ? {} : { isRevoked: this.init.isRevoked }),
      ...(this.init.isGranted === undefined ? {} : { isGranted: this.init.isGranted }),
    }
  }

  /** Verified hints into the core, which bounds what they change; refused ones counted and logged once. */
  private learn(from: string, answer: AttachOutcome): void {
    this.refusals.note(from, answer.refused)
    const refused = [...answer.refused.values()].reduce((a, b) => a + b, 0)
    this.core.onHints({ from, hints: answer.hints, refused, complete: answer.complete }, Date.now())
  }

  /** The last supernode refusal (a banned version, a revoked certificate), while nothing is attached. */
  refusal(): Refusal | undefined {
    return this.links.size === 0 ? this.core.lastRefusal() : undefined
  }

  /** Proofs refused so far, by code. */
  refusedProofs(): Record<string, number> {
    return this.refusals.totals()
  }

  /**
   * The device is being used (a lookup): with one supernode left it refills
   * at once instead of over the 30 s spread (src/attach/attacher.ts).
   */
  inUse(): void {
    if (this.stopped) return
    this.core.onInUse(Date.now())
    this.pump()
  }

  /** Supernodes being dialled now, and when the next dial may start (ms since epoch; undefined: none wanted). */
  dialing(): { peerIds: string[]; nextDialAt: number | undefined } {
    return { peerIds: this.core.dialing(), nextDialAt: this.core.nextDialAt() }
  }

  hosts(): HostEntry[] {
    return this.cache.entries()
  }

  private pump(): void {
    if (this.stopped) return
    this.core.handleTimeout(Date.now())
    for (let a = this.core.pollAction(); a !== undefined; a = this.core.pollAction()) {
      if (a.type === 'dial') void this.attach(a.peerId, a.addrs)
      else void this.init.node.hangUp(multiaddr(`/p2p/${a.peerId}`)).catch(() => undefined)
    }
    clearTimeout(this.timer)
    const at = this.core.pollTimeout()
    if (at !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(0, at - Date.now()))
  }

  private async attach(peerId: string, addrs: string[]): Promise<void> {
    const targets = addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`))
    try {
      const answer = await this.ask(peerId, targets)
      if (answer.result === AttachResult.Attached) {
        this.learn(peerId, answer)
        await this.reserveRelay(targets)
        this.cache.upsert(
          { peerId, addrs, load: answer.load, capacity: answer.capacity, mega: this.isMega(peerId) },
          Date.now(),
        )
        this.links.set(peerId, {
          peerId,
          addrs: targets,
          load: answer.load,
          capacity: answer.capacity,
          since: Date.now(),
        })
        this.core.onAttached(peerId, Date.now())
        this.init.log.info({ supernode: peerId, load: answer.load }, 'attached')
        this.init.onChange('attached', peerId)
      } else if (answer.result === AttachResult.Busy) {
        this.init.log.info(
          { supernode: peerId, hints: answer.hints.length },
          'supernode busy; trying its hints',
        )
        this.refusals.note(peerId, answer.refused)
        const refused = [...answer.refused.values()].reduce((a, b) => a + b, 0)
        this.core.onBusy(peerId, answer.hints, Date.now(), refused)
        await this.init.node.hangUp(targets[0] ?? multiaddr(`/p2p/${peerId}`)).catch(() => undefined)
      } else {
        this.init.log.warn(
          { supernode: peerId, code: answer.code, message: answer.message },
          'attachment refused',
        )
        this.core.onRefused(peerId, answer.code, Date.now(), answer.message)
      }
    } catch (err) {
      if (err instanceof AttachProofError) this.refusals.note(peerId, new Map([[err.code, 1]]))
      else this.init.log.debug({ supernode: peerId, err: (err as Error).message }, 'attach failed')
      this.core.onFailed(peerId, Date.now())
      // A supernode that answered after our deadline may have admitted us: closing the connection is
      // what releases that place (it counts a device as attached while its connection lasts).
      if (!this.links.has(peerId))
        await this.init.node.hangUp(targets[0] ?? multiaddr(`/p2p/${peerId}`)).catch(() => undefined)
    }
    this.scheduleSave()
    this.pump()
  }

  /** Listens on a relay circuit through the supernode, so devices that cannot dial us directly still reach us. */
  private async reserveRelay(targets: Multiaddr[]): Promise<void> {
    const tm = (
      this.init.node as unknown as {
        components: { transportManager: { listen(a: Multiaddr[]): Promise<void> } }
      }
    ).components.transportManager
    const tcpAddr = targets.find((a) => !a.toString().includes('/ws')) ?? targets[0]
    if (tcpAddr === undefined) return
    await tm.listen([multiaddr(`${tcpAddr.toString()}/p2p-circuit`)]).catch((err: unknown) => {
      this.init.log.warn({ err: (err as Error).message }, 'relay reservation failed')
    })
  }

  private isMega(peerId: string): boolean {
    return this.init.config.seeds.some((s) => s.peerId === peerId)
  }

  private loadCache(): HostEntry[] {
    const file = join(this.init.dir, 'hosts.json')
    if (!existsSync(file)) return []
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as HostEntry[]
    } catch {
      return []
    }
  }

  /**
   * The cache is for the next start: written a few seconds after a change, not
   * after every attempt (a synchronous write and rename per dial was a sixth of
   * a 50-device pool's CPU while it re-attached).
   */
  private scheduleSave(): void {
    if (this.saveTimer !== undefined || this.stopped) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      // One save at a time: a change while one is out is saved by the next turn.
      if (this.saving !== undefined) return this.scheduleSave()
      this.saving = this.saveCacheAsync()
        .catch((err: unknown) => this.init.log.warn({ err: String(err) }, 'could not save the host cache'))
        .finally(() => (this.saving = undefined))
    }, SAVE_AFTER_MS)
    this.saveTimer.unref()
  }

  /**
   * Off the event loop: a write and a rename can wait seconds on a busy disk (one rename held a
   * device's lookups for 2.6 s in bench:directory, its event loop blocked in renameSync).
   */
  private async saveCacheAsync(): Promise<void> {
    const tmp = join(this.init.dir, HOSTS_TMP)
    await writeFile(tmp, JSON.stringify(this.cache.entries()))
    if (!this.stopped) await rename(tmp, join(this.init.dir, 'hosts.json'))
  }

  /** At stop only: the process is leaving and the last state must be on disk. */
  private saveCache(): void {
    const tmp = join(this.init.dir, HOSTS_TMP)
    writeFileSync(tmp, JSON.stringify(this.cache.entries()))
    renameSync(tmp, join(this.init.dir, 'hosts.json'))
  }
}
