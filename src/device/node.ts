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
import { signerOf } from '../crypto/keys.js'
import { SlowPeers } from '../directory/slow-peers.js'
import type { Logger } from '../log/logger.js'
import { circuitsOnly, directOnly, DirectPaths, type Relation } from '../net/direct.js'
import { boundAddrs, createDeviceHost, type DeviceHost } from '../net/host.js'
import { canMuxerPing, muxerPing } from '../net/liveness.js'
import { request } from '../net/rpc.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import type { Certificate } from '../trust/certificate.js'
import { PresenceStatus, signPresence, type Presence } from '../trust/presence.js'
import { plain } from '../wire/bytes.js'
import { OverlayLimits } from '../wire/limits.js'
import { decodeDirectoryResponse, DirectoryKind, DirectoryRequest, DirectoryResult } from '../wire/overlay.js'
import type { RevocationList, RevokedBy } from '../trust/revocations.js'
import { Attachments } from './attachments.js'
import { Connector, LookupError, pathOf, type DeviceTarget, type Path } from './connector.js'
import { DirectAddrs } from './direct-addrs.js'
import { GrantWatch } from './grant-watch.js'
import { lookupUser } from './lookup-client.js'
import { RevocationWatch } from './revocation-watch.js'
import type { Profile } from './profile.js'
import { profileRenewal, RenewalLoop, startingCertificate } from './renewal-loop.js'
import { loadIdentity } from './session.js'

export const PRESENCE_TTL_MS = 10 * 60_000
const REPUBLISH_MS = 4 * 60_000

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
  private sequence = 0
  private publishTimer: NodeJS.Timeout | undefined
  /** The last publish that a supernode took: when, and through how many. */
  private published: { at: number; supernodes: number } | undefined
  private debounce: NodeJS.Timeout | undefined
  private readonly attachListeners: Array<() => void> = []
  private readonly signedOutListeners: Array<(s: SignedOut) => void> = []
  private anchor: { networkPublicKey: Uint8Array; networkId: string } | undefined
  /** Set once this device finds itself on the revocation list. */
  signedOut: SignedOut | undefined
  revocations!: RevocationWatch
  private grants!: GrantWatch
  private renewal: RenewalLoop | undefined
  /** What this device knows of other devices' direct paths (src/net/direct.ts). */
  readonly paths = new DirectPaths()
  private direct!: DirectAddrs
  private relations: (username: string) => Relation
  private connector!: Connector
  /** Supernodes that failed a lookup lately, or were hedged past: asked last. */
  private readonly slowLinks = new SlowPeers({ ttlMs: 10_000, max: 64, clock: Date })

  private constructor(
    readonly node: DeviceHost,
    readonly attachments: Attachments,
    private readonly opts: DeviceNodeOptions,
    private certificate: Uint8Array,
    /** This device's user. */
    readonly username: string,
  ) {
    this.relations = (u) => (u === username ? 'own' : 'stranger')
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
      onChange: () => {
        ref.device?.schedulePublish()
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
    device.revocations.start()
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
    device.grants.start()
    // Renewed in place: the next attach request, refresh, record and signed request carry it; attachments carry on.
    const onRenewed = (next: Certificate): void => {
      device.certificate = next.bytes
      device.schedulePublish()
    }
    device.renewal = new RenewalLoop(certificate, { renew: profileRenewal(profile), onRenewed, log })
    device.renewal.start()
    attachments.start()
    device.publishTimer = setInterval(() => device.schedulePublish(), REPUBLISH_MS)
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
    clearInterval(this.publishTimer)
    clearTimeout(this.debounce)
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

  /** Publishes soon, once: several attachment changes in a burst make one record. */
  schedulePublish(): void {
    clearTimeout(this.debounce)
    this.debounce = setTimeout(() => void this.publish(), 150)
  }

  async publish(status: PresenceStatus = PresenceStatus.ONLINE): Promise<number> {
    const links = [...this.attachments.links.values()]
    if (links.length === 0) return 0
    this.sequence = Math.max(this.sequence + 1, Date.now())
    const record = signPresence(
      {
        certificate: this.certificate,
        // Circuits only: a lookup tells anyone which supernodes relay for us, never our own address.
        addrs: this.circuitAddrs().slice(0, OverlayLimits.addrs),
        status,
        sequence: this.sequence,
        expiresAt: Date.now() + PRESENCE_TTL_MS,
      },
      signerOf(await this.opts.profile.deviceKey()),
    )
    const req = DirectoryRequest.encode({
      kind: DirectoryKind.Publish,
      records: [plain(record)],
      username: '',
    })
    const results = await Promise.all(
      links.map(async (link) => {
        try {
          const answer = decodeDirectoryResponse(
            await request(this.node, link.addrs, Protocols.directory, req, {
              timeoutMs: Deadlines.directoryMs,
              maxResponseBytes: OverlayLimits.directoryBytes,
            }),
          )
          if (answer.result !== DirectoryResult.Ok)
            this.opts.log.warn({ code: answer.code, message: answer.message }, 'publish refused')
          return answer.result === DirectoryResult.Ok
        } catch (err) {
          this.opts.log.debug({ err: (err as Error).message }, 'publish failed')
          return false
        }
      }),
    )
    const ok = results.filter(Boolean).length
    if (ok > 0) this.published = { at: Date.now(), supernodes: ok }
    this.opts.log.info({ supernodes: ok, sequence: this.sequence }, 'presence published')
    return ok
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
    const found = await lookupUser(
      {
        node: this.node,
        links: [...this.attachments.links.values()],
        anchor: this.trustAnchor(),
        isRevoked: (deviceId) => this.isRevoked(deviceId),
        slow: this.slowLinks,
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
      published: this.published,
    }
  }

  async stop(): Promise<void> {
    this.connector.stop()
    await this.direct.stop()
    this.revocations.stop()
    this.grants?.stop()
    this.renewal?.stop()
    clearInterval(this.publishTimer)
    clearTimeout(this.debounce)
    this.attachments.stop()
    await this.node.stop()
  }
}
