/** A supernode: its libp2p host, membership, directory, attachment, relay, and its HTTP /health and /metrics. */
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { Admission } from '../attach/admission.js'
import { signerOf } from '../crypto/keys.js'
import type { Profile } from '../device/profile.js'
import { profileRenewal, RenewalLoop, startingCertificate } from '../device/renewal-loop.js'
import { authorityClient, loadIdentity } from '../device/session.js'
import type { Placed } from '../placement/placement.js'
import type { Logger } from '../log/logger.js'
import { Refusals } from '../log/refusals.js'
import { Membership } from '../membership/membership.js'
import type { MemberAnnouncement, MemberView } from '../membership/types.js'
import { boundAddrs, createSupernodeHost } from '../net/host.js'
import { OfflineStore, type OfflineStoreOptions } from '../offline/store.js'
import { signAnnouncement } from '../trust/announcement.js'
import { VERSION } from '../version.js'
import { isUsername } from '../wire/fields.js'
import { AttachService, type SignedHint } from './attach-service.js'
import { DirectoryService, REPLICAS } from './directory-service.js'
import { drillFaults } from './drill.js'
import { serveEndpoints } from './endpoints.js'
import { OverloadMonitor } from '../overload/monitor.js'
import { TurnService, type TurnConfig } from './turn-service.js'
import { startSupernodeHttp } from './http.js'
import { MembershipAdapter } from './membership-adapter.js'
import { startRevocationSweep } from './revocation-sweep.js'
import { createSupernodeMetrics } from './metrics.js'
import { libp2pAsk } from './offline-replicas.js'
import { OfflineService } from './offline-service.js'
import { PlacementWatch } from './placement-watch.js'
import { certificateForRole, checkGranted, SupernodeForbiddenError } from './role.js'
import { TrustState } from './trust-state.js'

export const DEFAULT_CAPACITY = 800
export const MEGA_WEIGHT = 4
const ANNOUNCE_EVERY_MS = 10_000
/** Keeps `parley supernode` without a grant well inside its 10 s to say so, even when a renewal is due. */
const START_RENEW_TIMEOUT_MS = 5_000

/** A member silent this long after it was suspected is declared dead: long enough for a busy host's pauses. */
export const DEFAULT_SUSPICION_TIMEOUT_MS = 5_000

export { SupernodeForbiddenError }

export interface SupernodeOptions {
  profile: Profile
  host: string
  tcpPort: number
  wsPort: number
  httpPort: number
  capacity: number
  log: Logger
  version?: string
  /** How often to fetch the revocation list (default a minute). */
  revocationRefreshMs?: number
  /** How long a lookup waits on one replica before asking the next. */
  replicaTimeoutMs?: number
  /** How long a silent member stays suspect before it is declared dead (default 5 s). */
  suspicionTimeoutMs?: number
  /** Offline store quotas and retention (defaults: 10,000 items / 64 MiB per recipient, 2,000 per sender, 30 days). */
  offline?: OfflineStoreOptions
  /** Devices of one account attached here at once (issue 10, M7; default 8). */
  accountDevices?: number
  /** Relayed connections one peer may have through here at once (issue 10, M7; default 32). */
  relayPerPeer?: number
  /** The TURN server beside this supernode, whose credentials it issues to its devices. */
  turn?: TurnConfig
}

export interface RunningSupernode {
  peerId: string
  addrs: string[]
  httpUrl: string
  mega: boolean
  node: Libp2p
  stop(): Promise<void>
}

export async function startSupernode(opts: SupernodeOptions): Promise<RunningSupernode> {
  const { profile, log } = opts
  // Renewed first when due, as `parley up` does: a supernode may start late in its certificate's life.
  await startingCertificate(profile, log, AbortSignal.timeout(START_RENEW_TIMEOUT_MS))
  const identity = loadIdentity(profile)
  const config = identity.config
  /** Swapped in place by the renewal loop; every announcement signs with the current one. */
  let cert = await certificateForRole(profile, identity, log)
  const version = opts.version ?? VERSION
  const key = await profile.deviceKey()
  const signer = signerOf(key)
  const self = cert.deviceId
  const trust = new TrustState(
    config,
    profile.dir,
    authorityClient(profile, identity.authority),
    log,
    opts.revocationRefreshMs,
  )
  await trust.refresh()
  checkGranted(cert, trust.grants)
  if (trust.config.policies.supernodeBannedVersions.includes(version)) {
    throw new SupernodeForbiddenError(
      `version ${version} is banned from the supernode role by the network config`,
    )
  }
  // Opened before anything starts: a file this code refuses (StoreVersionError) stops the start cleanly.
  const offlineStore = OfflineStore.open(join(profile.dir, 'offline.sqlite'), opts.offline)
  trust.start()

  const isMega = (peerId: string): boolean => trust.config.seeds.some((s) => s.peerId === peerId)
  const metrics = createSupernodeMetrics()
  const refusals = new Refusals(log, metrics.refused)
  const admission = new Admission({ capacity: opts.capacity, perAccount: opts.accountDevices })
  metrics.capacity.set(opts.capacity)
  const node = await createSupernodeHost({
    privateKey: key,
    host: opts.host,
    tcpPort: opts.tcpPort,
    wsPort: opts.wsPort,
    capacity: opts.capacity,
    mayReserve: (peer) => admission.has(peer.toString()),
    relayPerPeer: opts.relayPerPeer,
    onRelayRefused: (source, destination, code) =>
      refusals.refuse('relay', code, source.toString(), `to ${destination.toString()}`),
  })
  const http = await startSupernodeHttp({
    host: opts.host,
    port: opts.httpPort,
    metrics,
    status: () => status(),
    replicas: (username) => (isUsername(username) ? placement.replicas(username, REPLICAS) : undefined),
  })
  const addrs = boundAddrs(node)

  let incarnation = Date.now()
  const announcement = (inc: number): MemberAnnouncement => {
    // The core only asks for incarnations we signed + 1, and the clock starts far below 2^53.
    incarnation = Math.min(Math.max(incarnation, inc), Number.MAX_SAFE_INTEGER - 1)
    const bytes = signAnnouncement(
      {
        certificate: cert.bytes,
        addrs,
        capacity: opts.capacity,
        load: admission.load,
        version,
        incarnation,
        metricsUrl: `${http.url}/metrics`,
      },
      signer,
    )
    return {
      peerId: self,
      username: cert.username,
      incarnation,
      addrs,
      capacity: opts.capacity,
      load: admission.load,
      mega: isMega(self),
      version,
      bytes,
    }
  }

  const drill = drillFaults(log)
  // Measured and reported (metrics, /v1/status, logs); shedding by it is issue 11's next step.
  const overload = new OverloadMonitor({
    log,
    onSample: (p99, s) => {
      if (!Number.isNaN(p99)) metrics.eventLoopDelay.set(p99 / 1000)
      metrics.overloadLevel.set(s.level)
    },
  }).start()
  const alive = (): MemberView[] => core.members().filter((m) => m.state !== 'dead')
  const placement = new PlacementWatch({
    alive,
    grants: () => trust.grants,
    megaWeight: MEGA_WEIGHT,
    moved: (before, after) => {
      directory.repair(before, after).catch((err: unknown) => log.warn({ err }, 'directory repair failed'))
      void offline.repair.run(before, after)
    },
    log,
  })
  const placed = (): Placed[] => placement.placed()
  const others = (): SignedHint[] =>
    alive()
      .filter((m) => m.peerId !== self)
      .map((m) => ({
        peerId: m.peerId,
        addrs: m.announcement.addrs,
        load: m.announcement.load,
        capacity: m.announcement.capacity,
        mega: m.announcement.mega,
        announcement: m.announcement.bytes,
      }))
      .sort((a, b) => a.load / a.capacity - b.load / b.capacity)

  const core = new Membership(
    {
      self: announcement(incarnation),
      seeds: trust.config.seeds.map((s) => s.peerId).filter((id) => id !== self),
      random: Math.random,
      // A first message to a peer also sets up its connection (Noise, Yamux): on a loaded machine that
      // takes far longer than a round trip, and a tight probe timeout turns it into false suspicions.
      probeTimeoutMs: 800,
      suspicionTimeoutMs: opts.suspicionTimeoutMs ?? DEFAULT_SUSPICION_TIMEOUT_MS,
    },
    Date.now(),
  )
  placement.start()
  const adapter: MembershipAdapter = new MembershipAdapter({
    node,
    core,
    trust,
    metrics,
    log,
    isMega,
    seedAddrs: (peerId) => trust.config.seeds.find((s) => s.peerId === peerId)?.addrs ?? [],
    self,
    refusals,
    reannounce: announcement,
    onEvent: (event) => {
      if (event.type === 'refute') return
      log.info({ event: event.type, peer: event.member.peerId }, 'membership')
      placement.check()
    },
  })
  trust.onGrants(() => placement.check())
  const directory = new DirectoryService({
    self,
    node,
    admission,
    trust,
    metrics,
    log,
    members: placed,
    isMember: (peerId) => core.member(peerId)?.state === 'alive' || core.member(peerId)?.state === 'suspect',
    addrsOf: (peerId) => adapter.addrsOf(peerId),
    replicaTimeoutMs: opts.replicaTimeoutMs,
    storesPaused: () => drill.storesPaused(),
  })
  const attach = new AttachService({
    admission,
    trust,
    metrics,
    log,
    others,
    announcement: () => core.member(self)?.announcement.bytes,
  })
  const offline = new OfflineService({
    self,
    store: offlineStore,
    isAttached: (peerId) => admission.has(peerId),
    usernameOf: (deviceId) => attach.usernameOf(deviceId),
    isMember: (peerId) => core.member(peerId)?.state === 'alive' || core.member(peerId)?.state === 'suspect',
    members: placed,
    ask: libp2pAsk(node, (peerId) => adapter.addrsOf(peerId)),
    verifyOptions: (now) => trust.verifyOptions(now),
    metrics,
    log,
    replicaTimeoutMs: opts.replicaTimeoutMs,
  })

  await serveEndpoints({
    node,
    adapter,
    attach,
    directory,
    turn: new TurnService(admission, opts.turn),
    offline,
    trust,
    isAttached: (peer) => admission.has(peer),
    isMember: (peer) => core.member(peer) !== undefined,
    refusals,
    metrics,
    log,
  })
  const stopSweep = startRevocationSweep({
    node,
    list: () => trust.revocations,
    records: directory.store,
    released: (id) => {
      attach.released(id)
      directory.forgetDevice(id)
    },
    log,
  })
  offline.start()
  node.addEventListener('connection:close', (evt) => {
    const peer = evt.detail.remotePeer
    if (node.getConnections(peer).length === 0) {
      attach.released(peer.toString())
      directory.forgetDevice(peer.toString())
    }
  })
  adapter.start()

  /** A new announcement at a higher incarnation, gossiped by the core as any refutation is. */
  const reannounce = (why: string): void => {
    try {
      core.announce(announcement(incarnation + 1), Date.now())
    } catch (err) {
      log.error({ err, why }, 'could not announce')
    }
    adapter.pump()
  }
  let announcedLoad = admission.load
  const loadTimer = setInterval(() => {
    if (admission.load === announcedLoad) return
    announcedLoad = admission.load
    reannounce('load')
  }, ANNOUNCE_EVERY_MS)
  loadTimer.unref()
  const renewal = new RenewalLoop(cert, {
    renew: profileRenewal(profile),
    onRenewed: (next) => {
      if (!next.policy.maySupernode)
        log.warn(
          { serial: next.serial.toString() },
          'the renewed certificate does not carry the supernode role',
        )
      cert = next
      reannounce('certificate renewed')
    },
    log,
  })
  renewal.start()

  function status() {
    return {
      peerId: self,
      addrs,
      mega: isMega(self),
      load: admission.load,
      capacity: opts.capacity,
      records: directory.store.size,
      offlineItems: offlineStore.count,
      overload: overload.state(),
      placement: (({ mode, placed, unplaced }) => ({ mode, placed: placed.length, unplaced }))(
        placement.decide(),
      ),
      members: core.members().map((m) => ({
        peerId: m.peerId,
        state: m.state,
        incarnation: m.incarnation,
        load: m.announcement.load,
        capacity: m.announcement.capacity,
        mega: m.announcement.mega,
      })),
    }
  }

  log.info({ peerId: self, addrs }, 'supernode started')
  return {
    peerId: self,
    addrs,
    httpUrl: http.url,
    mega: isMega(self),
    node,
    stop: async () => {
      clearInterval(loadTimer)
      renewal.stop()
      adapter.stop()
      offline.stop()
      directory.stop()
      drill.stop()
      overload.stop()
      trust.stop()
      stopSweep()
      await http.close()
      await node.stop()
      offlineStore.close()
    },
  }
}
