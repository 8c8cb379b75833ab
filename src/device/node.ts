/**
 * `parley up`: a device on the network. Verifies its certificate, keeps two
 * or more supernode attachments, publishes its presence through them, looks
 * others up, and serves a small control API on 127.0.0.1 for the CLI.
 *
 * Its presence record carries its relay circuits only; its direct addresses
 * go to its own user's other devices and contacts' devices over
 * /parley/direct (issue 10, M6; src/net/direct.ts, direct-addrs.ts), and
 * `connect` dials those directly first, everyone else through the relay.
 */
import type { Connection } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { LRUCache } from 'lru-cache'
import { SlowPeers } from '../directory/slow-peers.js'
import type { Logger } from '../log/logger.js'
import { circuitsOnly, directOnly, DirectPaths, type Relation } from '../net/direct.js'
import { boundAddrs, createDeviceHost, type DeviceHost } from '../net/host.js'
import { canMuxerPing, muxerPing } from '../net/liveness.js'
import type { RelayHealth } from '../net/relay-order.js'
import type { Certificate } from '../trust/certificate.js'
import type { Presence } from '../trust/presence.js'
import type { RevocationList, RevokedBy } from '../trust/revocations.js'
import { Attachments } from './attachments.js'
import { Connector, LookupError, pathOf, type DeviceTarget, type Path } from './connector.js'
import { DirectAddrs } from './direct-addrs.js'
import { GrantWatch } from './grant-watch.js'
import { ListPoller } from './list-poller.js'
import { lookupUser } from './lookup-client.js'
import { HedgeDelay } from '../directory/hedge-delay.js'
import { RevocationWatch } from './revocation-watch.js'
import type { Profile } from './profile.js'
import { PRESENCE_TTL_MS, Publisher, type AttachmentChange } from './publisher.js'
import { profileRenewal, RenewalLoop, startingCertificate } from './renewal-loop.js'
import { loadIdentity } from './session.js'

export { PRESENCE_TTL_MS }

export { LookupError }

export interface DeviceNodeOptions {
  profile: Profile
  host: string
  log: Logger
  attachments?: number
  /** Tests only: see Attachments. */
  fastReattach?: boolean
}

/** This device's own certificate was revoked: it is signed out, and says by whom. */
export interface SignedOut {
  at: number
  /** Undefined when the list was a v1 list, which does not say. */
  by?: RevokedBy
}

export interface ReachResult {
  deviceId: string
  path: 'direct' | 'relayed'
  addr: string
  rttMs: number
}

export { pathOf, type DeviceTarget, type Path }

export class DeviceNode {
  private readonly publisher: Publisher
  private readonly attachListeners: Array<() => void> = []
  private readonly signedOutListeners: Array<(s: SignedOut) => void> = []
  private anchor: { networkPublicKey: Uint8Array; networkId: string } | undefined
  /** Set once this device finds itself on the revocation list. */
  signedOut: SignedOut | undefined
  revocations!: RevocationWatch
  private grants: GrantWatch | undefined
  private lists!: ListPoller
  private renewal: RenewalLoop | undefined
  /** What this device knows of other devices' direct paths (src/net/direct.ts). */
  readonly paths = new DirectPaths()
  private direct!: DirectAddrs
  private relations: (username: string) => Relation
  private connector!: Connector
  /** Supernodes that failed a lookup lately, or were hedged past: asked last. */
  private readonly slowLinks = new SlowPeers({ ttlMs: 10_000, max: 64, clock: Date })
  private readonly hedge = new HedgeDelay()
  /** Supernodes this device lost within the last minute: a contact's circuit through one is dialled last. */
  private readonly lostLinks = new LRUCache<string, true>({ max: 64, ttl: 60_000 })

  private constructor(
    readonly node: DeviceHost,
    readonly attachments: Attachments,
    private readonly opts: DeviceNodeOptions,
    private certificate: Uint8Array,
    /** This device's user. */
    readonly username: string,
  ) {
    this.relations = (u) => (u === username ? 'own' : 'stranger')
    this.publisher = new Publisher({
      node,
      profile: opts.profile,
      certificate: () => this.certificate,
      links: () => this.supernodeAddrs(),
      circuits: () => this.circuitAddrs(),
      log: opts.log,
      random: Math.random,
    })
  }

  static async start(opts: DeviceNodeOptions): Promise<DeviceNode> {
    const { profile, log } = opts
    const { certificate, config } = await startingCertificate(profile, log)
    // The gater and the attachments call back into the device, which needs the host to exist first.
    const ref: { device?: DeviceNode } = {}
    const node = await createDeviceHost({
      privateKey: await profile.deviceKey(),
      host: opts.host,
      mayDialDirect: (peer) => ref.device?.mayDialDirect(peer) ?? true,
    })
    const attachments = new Attachments({
      node,
      dir: profile.dir,
      certificate: () => ref.device?.certificate ?? certificate.bytes,
      config,
      log,
      target: opts.attachments,
      fastReattach: opts.fastReattach,
      // Hints from supernodes whose certificate is on the newest revocation list we hold are refused.
      isRevoked: (deviceId) => ref.device?.isRevoked(deviceId) === true,
      // And so are those of accounts whose grant the operator withdrew (the newest grant list we hold).
      isGranted: (cert) => ref.device?.grants?.isGranted(cert) ?? true,
      onChange: (change, peerId) => {
        if (change === 'lost') ref.device?.lostLinks.set(peerId, true)
        else ref.device?.lostLinks.delete(peerId)
        ref.device?.schedulePublish(change)
        for (const listener of ref.device?.attachListeners ?? []) listener()
      },
    })
    const device = new DeviceNode(node, attachments, opts, certificate.bytes, certificate.username)
    ref.device = device
    // Whoever reaches us over a relay is a device, of nobody we know until a certificate says.
    node.addEventListener('connection:open', (evt) => {
      if (!evt.detail.direct) device.paths.noteDevice(evt.detail.remotePeer.toString())
    })
    device.direct = new DirectAddrs({
      node,
      paths: device.paths,
      certificate: () => device.certificate,
      ownAddrs: () => device.directAddrs(),
      relationOf: (u) => device.relationOf(u),
      verifyOptions: () => ({
        ...device.trustAnchor(),
        now: Date.now(),
        isRevoked: (id: string) => device.isRevoked(id),
      }),
      onLearned: (id) => device.connector.reverseSoon(id),
      log,
    })
    device.connector = new Connector({
      node,
      paths: device.paths,
      relationOf: (u) => device.relationOf(u),
      ask: (peer, username) => device.direct.ask(peer, username),
      relayHealth: (relay) => device.relayHealth(relay),
      log,
    })
    await device.direct.start()
    device.revocations = new RevocationWatch({
      node,
      dir: profile.dir,
      anchor: () => device.trustAnchor(),
      supernodes: () => device.revocationSources(),
      log,
      onChange: (list) => device.onRevocations(list),
    })
    // A list cached from before a restart may already name this device.
    const cached = device.revocations.list
    if (cached !== undefined) device.onRevocations(cached)
    device.lists = new ListPoller({
      node,
      revocations: device.revocations,
      grants: () => device.grants,
      sources: () => device.revocationSources(),
    })
    device.lists.start()
    if (device.signedOut !== undefined) return device
    device.grants = new GrantWatch({
      node,
      dir: profile.dir,
      anchor: () => device.trustAnchor(),
      validityMs: () => config.policies.certificateValiditySeconds * 1000,
      supernodes: () => device.supernodeAddrs(),
      log,
      // A supernode whose grant was withdrawn is left at once, not when its certificate expires.
      onChange: () => void attachments.recheck(),
    })
    // Renewed in place: the next attach request, refresh, record and signed request carry it; attachments carry on.
    const onRenewed = (next: Certificate): void => {
      device.certificate = next.bytes
      device.schedulePublish()
    }
    device.renewal = new RenewalLoop(certificate, { renew: profileRenewal(profile), onRenewed, log })
    device.renewal.start()
    attachments.start()
    device.publisher.start()
    return device
  }

  /** The current certificate (renewed in place). */
  get certificateBytes(): Uint8Array {
    return this.certificate
  }

  /** Called once if this device finds itself revoked. */
  onSignedOut(listener: (s: SignedOut) => void): void {
    this.signedOutListeners.push(listener)
  }

  /** Is this device revoked (as far as the newest list we hold says)? */
  isRevoked(deviceId: string): boolean {
    return this.revocations.isRevoked(deviceId)
  }

  /**
   * Where to ask for the revocation list: the attached supernodes, or while none is
   * attached (a revoked device is dropped by all) a few from the host cache.
   */
  private revocationSources(): Multiaddr[][] {
    const attached = this.supernodeAddrs()
    if (attached.length > 0) return attached
    return this.attachments
      .hosts()
      .slice(0, 3)
      .map((h) => h.addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${h.peerId}`)))
  }

  private onRevocations(list: RevocationList): void {
    const entry = list.entry(this.peerId)
    if (this.signedOut !== undefined) return
    // An attached supernode on the list is left at once: its proofs no longer verify.
    if (entry === undefined) return void this.attachments.recheck()
    this.signedOut = { at: entry.revokedAt, by: entry.by }
    this.opts.log.warn(
      { revokedAt: entry.revokedAt, by: entry.by ?? 'unknown' },
      'this device was revoked: signed out; local history is kept',
    )
    // Stop reaching out: every supernode refuses a revoked certificate, so retrying would only storm.
    this.publisher.stop()
    this.renewal?.stop()
    this.attachments.stop()
    for (const listener of this.signedOutListeners) listener(this.signedOut)
  }

  /** Called whenever the set of attached supernodes changes. */
  onAttachmentsChange(listener: () => void): void {
    this.attachListeners.push(listener)
  }

  /** Multiaddrs of the attached supernodes, for their services (offline store). */
  supernodeAddrs(): Multiaddr[][] {
    return [...this.attachments.links.values()].map((l) => l.addrs)
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  /** Where this device can be reached: its bound addresses, then its relay circuits (shown locally only). */
  addrs(): string[] {
    return [...this.directAddrs(), ...this.circuitAddrs()]
  }

  /** Its relay circuits: all that its presence record and identify tell anyone. */
  circuitAddrs(): string[] {
    return circuitsOnly(this.node.getMultiaddrs().map(String))
  }

  /** Its direct addresses: for its own user's other devices and contacts' devices only. */
  directAddrs(): string[] {
    return directOnly(boundAddrs(this.node))
  }

  /**
   * How this device's user relates to `username`: set by the chat service
   * from the contact list; until then only the user's own devices are more
   * than strangers.
   */
  setRelations(relations: (username: string) => Relation): void {
    this.relations = (u) => (u === this.username ? 'own' : relations(u))
  }

  relationOf(username: string): Relation {
    return this.relations(username)
  }

  /** Asked by the connection gater for every direct address about to be dialled. */
  private mayDialDirect(peer: string): boolean {
    return this.paths.mayDialDirect(peer, (u) => this.relationOf(u))
  }

  /** A relay is up while this device is attached to it, down for a minute after it lost it. */
  relayHealth(relay: string): RelayHealth {
    if (this.attachments.links.has(relay)) return 'up'
    return this.lostLinks.has(relay) ? 'down' : 'unknown'
  }

  /** Publishes soon, once: several attachment changes in a burst make one record (publisher.ts). */
  schedulePublish(change: AttachmentChange = 'attached'): void {
    this.publisher.soon(change)
  }

  /** Publishes now: how many supernodes took the record. */
  publish(): Promise<number> {
    return this.publisher.publish()
  }

  /**
   * The network key and id that records are verified against: fixed for a
   * network, so read from the profile once, not on every lookup (that was
   * three file reads and a signature check per lookup).
   */
  trustAnchor(): { networkPublicKey: Uint8Array; networkId: string } {
    if (this.anchor === undefined) {
      const { config } = loadIdentity(this.opts.profile)
      this.anchor = { networkPublicKey: config.networkPublicKey, networkId: config.networkId }
    }
    return this.anchor
  }

  /**
   * The user's online devices, verified, from the directory through this device's supernodes
   * (src/device/lookup-client.ts); [] when a supernode says nobody is online.
   */
  async lookup(username: string): Promise<Presence[]> {
    this.attachments.inUse()
    const found = await lookupUser(
      {
        node: this.node,
        links: [...this.attachments.links.values()],
        anchor: this.trustAnchor(),
        isRevoked: (deviceId) => this.isRevoked(deviceId),
        slow: this.slowLinks,
        hedge: this.hedge,
        random: Math.random,
      },
      username,
    )
    for (const p of found) this.paths.noteDevice(p.deviceId, p.username)
    return found
  }

  /**
   * A connection to another device: direct to own and contacts' devices,
   * everyone else through the relay (src/device/connector.ts).
   */
  connect(
    target: DeviceTarget,
    opts: { timeoutMs?: number; waitForDirect?: boolean } = {},
  ): Promise<Connection> {
    return this.connector.connect(target, opts)
  }

  /** Connects to a device (as `connect`) and measures a round trip on that connection. */
  async reach(presence: Presence): Promise<ReachResult> {
    const conn = await this.connect(presence, { timeoutMs: 3_000, waitForDirect: true })
    const rttMs = canMuxerPing(conn) ? await muxerPing(conn, 3_000).catch(() => NaN) : NaN
    return {
      deviceId: presence.deviceId,
      path: pathOf(conn),
      addr: conn.remoteAddr.toString(),
      rttMs,
    }
  }

  status() {
    return {
      peerId: this.peerId,
      signedOut: this.signedOut,
      refused: this.attachments.refusal(),
      addrs: this.addrs(),
      attachments: [...this.attachments.links.values()].map((l) => ({
        peerId: l.peerId,
        load: l.load,
        capacity: l.capacity,
        since: l.since,
      })),
      reachability: {
        // Told to own devices and contacts only; the presence record carries `relayed`.
        direct: this.directAddrs(),
        relayed: this.circuitAddrs(),
      },
      knownSupernodes: this.attachments.hosts().length,
      published: this.publisher.published,
    }
  }

  async stop(): Promise<void> {
    this.connector.stop()
    await this.direct.stop()
    this.lists.stop()
    this.renewal?.stop()
    this.publisher.stop()
    this.attachments.stop()
    await this.node.stop()
  }
}
