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
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { signerOf } from '../crypto/keys.js'
import type { Logger } from '../log/logger.js'
import {
  circuitsOnly,
  dialPlan,
  directOnly,
  DirectPaths,
  mayShareDirect,
  type Relation,
} from '../net/direct.js'
import { boundAddrs, createDeviceHost, type DeviceHost } from '../net/host.js'
import { canMuxerPing, muxerPing } from '../net/liveness.js'
import { bestConnection, request } from '../net/rpc.js'
import { Deadlines, Protocols } from '../supernode/protocols.js'
import type { Certificate } from '../trust/certificate.js'
import { PresenceStatus, signPresence, verifyPresence, type Presence } from '../trust/presence.js'
import { plain } from '../wire/bytes.js'
import { OverlayLimits } from '../wire/limits.js'
import { decodeDirectoryResponse, DirectoryKind, DirectoryRequest, DirectoryResult } from '../wire/overlay.js'
import { decodeTurnResponse, TurnLimits, TurnRequest } from '../wire/chat.js'
import type { RevocationList, RevokedBy } from '../trust/revocations.js'
import { Attachments } from './attachments.js'
import { DirectAddrs } from './direct-addrs.js'
import { RevocationWatch } from './revocation-watch.js'
import type { Profile } from './profile.js'
import { profileRenewal, RenewalLoop, startingCertificate } from './renewal-loop.js'
import { loadIdentity } from './session.js'

export const PRESENCE_TTL_MS = 10 * 60_000
const REPUBLISH_MS = 4 * 60_000
/** One direct address gets this long: a contact's device behind a NAT is reached through its relay instead. */
const DIRECT_DIAL_MS = 3_000
/** A contact's device that gave us its addresses and has not come directly by then is dialled back. */
const REVERSE_AFTER_MS = 2_000

export class LookupError extends Error {
  override name = 'LookupError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

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

/** A device to connect to: whose it is (which decides how), and its presence record's addresses. */
export interface DeviceTarget {
  username: string
  deviceId: string
  addrs: string[]
}

export type Path = 'direct' | 'relayed'

export const pathOf = (c: Connection): Path => (c.direct ? 'direct' : 'relayed')

export class DeviceNode {
  private sequence = 0
  private publishTimer: NodeJS.Timeout | undefined
  private debounce: NodeJS.Timeout | undefined
  private readonly attachListeners: Array<() => void> = []
  private readonly signedOutListeners: Array<(s: SignedOut) => void> = []
  private anchor: { networkPublicKey: Uint8Array; networkId: string } | undefined
  /** Set once this device finds itself on the revocation list. */
  signedOut: SignedOut | undefined
  revocations!: RevocationWatch
  private renewal: RenewalLoop | undefined
  /** What this device knows of other devices' direct paths (src/net/direct.ts). */
  readonly paths = new DirectPaths()
  private direct!: DirectAddrs
  private relations: (username: string) => Relation
  private readonly connecting = new Map<string, Promise<Connection>>()
  private readonly upgrading = new Map<string, Promise<Connection | undefined>>()
  private readonly reversals = new Map<string, NodeJS.Timeout>()

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
      onLearned: (id) => device.reverseSoon(id),
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
    if (entry === undefined || this.signedOut !== undefined) return
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

  /** Asks an attached supernode (then the next) for the user's devices; verifies every record. */
  async lookup(username: string): Promise<Presence[]> {
    const links = [...this.attachments.links.values()]
    if (links.length === 0)
      throw new LookupError('not_attached', 'not attached to any supernode yet; try again in a moment')
    const anchor = this.trustAnchor()
    let lastError = 'no supernode answered'
    for (const link of links) {
      try {
        const answer = decodeDirectoryResponse(
          await request(
            this.node,
            link.addrs,
            Protocols.directory,
            DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username, records: [] }),
            {
              timeoutMs: Deadlines.directoryMs,
              maxResponseBytes: OverlayLimits.directoryBytes,
            },
          ),
        )
        if (answer.result === DirectoryResult.NotFound) return []
        if (answer.result !== DirectoryResult.Ok) {
          lastError = `${answer.message} [${answer.code}]`
          continue
        }
        const now = Date.now()
        return answer.records.flatMap((bytes) => {
          try {
            const p = verifyPresence(bytes, { ...anchor, now })
            // A supernode may still hold a record from before a revocation: never list that device.
            if (p.username !== username || this.isRevoked(p.deviceId)) return []
            this.paths.noteDevice(p.deviceId, p.username)
            return [p]
          } catch {
            return []
          }
        })
      } catch (err) {
        lastError = (err as Error).message
      }
    }
    throw new LookupError('unavailable', `lookup failed: ${lastError}`)
  }

  /** Short-lived TURN credentials from an attached supernode (none when it runs no TURN server). */
  async turnCredentials(): Promise<{ urls: string[]; username: string; credential: string; ttlS: number }> {
    let last = 'not attached to any supernode yet'
    for (const link of this.attachments.links.values()) {
      try {
        const answer = decodeTurnResponse(
          await request(this.node, link.addrs, Protocols.turn, TurnRequest.encode({ version: 1 }), {
            timeoutMs: Deadlines.directoryMs,
            maxResponseBytes: TurnLimits.responseBytes,
          }),
        )
        if (answer.result === 0)
          return {
            urls: answer.urls,
            username: answer.username,
            credential: answer.credential,
            ttlS: answer.ttlS,
          }
        last = `${answer.message} [${answer.code}]`
      } catch (err) {
        last = (err as Error).message
      }
    }
    throw new LookupError('unavailable', `no TURN credentials: ${last}`)
  }

  /**
   * A connection to a device, the best this device may have: direct to its
   * own user's devices and contacts' devices (the addresses they told us over
   * /parley/direct, or that an older device still publishes), through their
   * relay when that fails; through the relay only to anyone else, so that a
   * stranger never sees our address. An open direct connection is used as is.
   *
   * Over a relayed connection to a contact's or own device, the upgrade (ask
   * it where it is, dial there) runs beside the caller: a chat push does not
   * wait for it, and the next one goes direct. `waitForDirect` waits for it
   * (a file pull, whose stream stays on the connection it opens on).
   * Throws LookupError when the device cannot be reached at all.
   */
  async connect(
    target: DeviceTarget,
    opts: { timeoutMs?: number; waitForDirect?: boolean } = {},
  ): Promise<Connection> {
    const peer = peerIdFromString(target.deviceId)
    const open = bestConnection(this.node, peer)
    if (open?.direct === true) return open
    this.paths.noteDevice(target.deviceId, target.username)
    const conn = open ?? (await this.once(this.connecting, target, () => this.dial(target, opts.timeoutMs)))
    if (conn.direct || !mayShareDirect(this.relationOf(target.username))) return conn
    const upgrade = this.once(this.upgrading, target, () => this.upgrade(target))
    if (opts.waitForDirect !== true) return conn
    return (await upgrade) ?? bestConnection(this.node, peer) ?? conn
  }

  /** One attempt per device at a time: pushes, a file pull and presence may all want the same device at once. */
  private once<T>(running: Map<string, Promise<T>>, target: DeviceTarget, run: () => Promise<T>): Promise<T> {
    const pending = running.get(target.deviceId)
    if (pending !== undefined) return pending
    const attempt = run().finally(() => running.delete(target.deviceId))
    running.set(target.deviceId, attempt)
    return attempt
  }

  /** A first connection: direct on what we know when we may, else through the device's relay. */
  private async dial(target: DeviceTarget, timeoutMs = 5_000): Promise<Connection> {
    const { deviceId } = target
    const plan = dialPlan(this.relationOf(target.username), target.addrs, this.paths.addrs(deviceId))
    if (plan.direct.length > 0 && this.paths.mayTryDirect(deviceId, Date.now())) {
      const direct = await this.dialDirect(deviceId, plan.direct, new Set())
      if (direct !== undefined) return direct
    }
    return this.dialRelayed(deviceId, plan.relayed, timeoutMs)
  }

  /**
   * From a relayed connection to a direct one, for a contact's or own device:
   * what we know of it first, then what it tells when asked. Undefined when
   * it stays relayed (both sides behind NATs, or it is not our contact).
   */
  private async upgrade(target: DeviceTarget): Promise<Connection | undefined> {
    const { deviceId } = target
    const peer = peerIdFromString(deviceId)
    const tried = new Set<string>()
    const known = dialPlan(this.relationOf(target.username), target.addrs, this.paths.addrs(deviceId)).direct
    if (known.length > 0 && this.paths.mayTryDirect(deviceId, Date.now())) {
      const direct = await this.dialDirect(deviceId, known, tried)
      if (direct !== undefined) return direct
    }
    // What it told us before did not work (it restarted on another port, or moved): ask again at once.
    if (tried.size === 0 && !this.paths.mayAsk(deviceId, Date.now())) return undefined
    this.paths.asked(deviceId, Date.now())
    const told = await this.direct.ask(peer, target.username).catch((err: unknown) => {
      this.opts.log.debug(
        { device: deviceId, err: (err as Error).message },
        'asking for direct addresses failed',
      )
      return []
    })
    const fresh = directOnly(told).filter((a) => !tried.has(a))
    if (fresh.length === 0 || !this.paths.mayTryDirect(deviceId, Date.now())) return undefined
    return this.dialDirect(deviceId, fresh, tried)
  }

  /** A direct connection on one of `addrs`, or undefined (and the failure remembered a while). */
  private async dialDirect(
    deviceId: string,
    addrs: string[],
    tried: Set<string>,
  ): Promise<Connection | undefined> {
    for (const a of addrs) {
      tried.add(a)
      try {
        const conn = await this.node.dial(multiaddr(withPeer(a, deviceId)), {
          signal: AbortSignal.timeout(DIRECT_DIAL_MS),
        })
        // A dial joins one already under way to the same peer, which may be a relayed one.
        if (conn.direct) {
          this.paths.directWorked(deviceId)
          this.dropRelayed(conn)
          return conn
        }
      } catch {
        // the next address
      }
    }
    this.paths.directFailed(deviceId, Date.now())
    return undefined
  }

  /**
   * A direct connection came: relayed ones to the same device are closed (as
   * DCUtR did), so that pooled streams move to the direct one and the relay's
   * slot is free. A stream still on one breaks and is retried (a push) or
   * resumed (a file pull).
   */
  private dropRelayed(direct: Connection): void {
    for (const c of this.node.getConnections(direct.remotePeer))
      if (!c.direct && c.status === 'open')
        void c.close({ signal: AbortSignal.timeout(2_000) }).catch((err: unknown) => c.abort(err as Error))
  }

  private async dialRelayed(deviceId: string, circuits: string[], timeoutMs: number): Promise<Connection> {
    let last: unknown
    for (const a of circuits) {
      try {
        return await this.node.dial(multiaddr(withPeer(a, deviceId)), {
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (err) {
        last = err
      }
    }
    throw new LookupError(
      'unreachable',
      `device ${deviceId} unreachable: ${(last as Error | undefined)?.message ?? 'no relay address'}`,
    )
  }

  /**
   * A contact's device gave us its direct addresses while asking for ours:
   * it is about to dial us directly. If that has not happened shortly (we are
   * behind a NAT, it is not), we dial it: connection reversal.
   */
  private reverseSoon(deviceId: string): void {
    if (this.reversals.has(deviceId)) return
    const timer = setTimeout(() => {
      this.reversals.delete(deviceId)
      const peer = peerIdFromString(deviceId)
      if (bestConnection(this.node, peer)?.direct === true) return
      if (!this.paths.mayTryDirect(deviceId, Date.now())) return
      void this.dialDirect(deviceId, this.paths.addrs(deviceId), new Set()).then((conn) => {
        if (conn !== undefined)
          this.opts.log.debug({ device: deviceId }, 'reached a contact directly by dialling back')
      })
    }, REVERSE_AFTER_MS)
    timer.unref()
    this.reversals.set(deviceId, timer)
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
    }
  }

  async stop(): Promise<void> {
    for (const t of this.reversals.values()) clearTimeout(t)
    await this.direct.stop()
    this.revocations.stop()
    this.renewal?.stop()
    clearInterval(this.publishTimer)
    clearTimeout(this.debounce)
    this.attachments.stop()
    await this.node.stop()
  }
}

function withPeer(addr: string, deviceId: string): string {
  return addr.includes(`/p2p/${deviceId}`) ? addr : `${addr}/p2p/${deviceId}`
}
