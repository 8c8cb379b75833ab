/**
 * How a device reaches another device (issue 10, M6): its own user's other
 * devices and contacts' devices directly when it can (what it knows of them,
 * then what they tell over /parley/direct), with the relay as the fallback and
 * relayed connections closed once a direct one comes; everyone else only
 * through the relay, so a stranger never learns where this device is. The
 * decisions are src/net/direct.ts (sans-IO); this is their I/O.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import { dialPlan, directOnly, mayShareDirect, type DirectPaths, type Relation } from '../net/direct.js'
import type { DeviceHost } from '../net/host.js'
import { circuitBudgetMs, orderCircuits, type RelayHealth } from '../net/relay-order.js'
import { bestConnection } from '../net/rpc.js'

/** One direct address gets this long: a contact's device behind a NAT is reached through its relay instead. */
const DIRECT_DIAL_MS = 3_000
/** A contact's device that gave us its addresses and has not come directly by then is dialled back. */
const REVERSE_AFTER_MS = 2_000

export class LookupError extends Error {
  override name = 'LookupError'
  constructor(
    readonly code: string,
    message: string,
    /** Whom the lookup asked and what each answered when, e.g. "sn-1 @0 ms: timeout @1000 ms" (for logs and benchmarks). */
    readonly attempts: string[] = [],
  ) {
    super(message)
  }
}

/** A device to connect to: whose it is (which decides how), and its presence record's addresses. */
export interface DeviceTarget {
  username: string
  deviceId: string
  addrs: string[]
}

export type Path = 'direct' | 'relayed'

export const pathOf = (c: Connection): Path => (c.direct ? 'direct' : 'relayed')

export interface ConnectorInit {
  node: DeviceHost
  /** What this device knows of other devices' direct paths. */
  paths: DirectPaths
  relationOf: (username: string) => Relation
  /** Asks a device for its direct addresses (/parley/direct), telling it ours. */
  ask: (peer: PeerId, username: string) => Promise<string[]>
  /** What this device knows of a relay: attached to it now, lost it lately (relay-order.ts). */
  relayHealth?: (relay: string) => RelayHealth
  log: Logger
}

export class Connector {
  private readonly connecting = new Map<string, Promise<Connection>>()
  private readonly upgrading = new Map<string, Promise<Connection | undefined>>()
  private readonly reversals = new Map<string, NodeJS.Timeout>()

  constructor(private readonly init: ConnectorInit) {}

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
    const open = bestConnection(this.init.node, peer)
    if (open?.direct === true) return open
    this.init.paths.noteDevice(target.deviceId, target.username)
    const conn = open ?? (await this.once(this.connecting, target, () => this.dial(target, opts.timeoutMs)))
    if (conn.direct || !mayShareDirect(this.init.relationOf(target.username))) return conn
    const upgrade = this.once(this.upgrading, target, () => this.upgrade(target))
    if (opts.waitForDirect !== true) return conn
    return (await upgrade) ?? bestConnection(this.init.node, peer) ?? conn
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
    const plan = dialPlan(
      this.init.relationOf(target.username),
      target.addrs,
      this.init.paths.addrs(deviceId),
    )
    if (plan.direct.length > 0 && this.init.paths.mayTryDirect(deviceId, Date.now())) {
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
    const known = dialPlan(
      this.init.relationOf(target.username),
      target.addrs,
      this.init.paths.addrs(deviceId),
    ).direct
    if (known.length > 0 && this.init.paths.mayTryDirect(deviceId, Date.now())) {
      const direct = await this.dialDirect(deviceId, known, tried)
      if (direct !== undefined) return direct
    }
    // What it told us before did not work (it restarted on another port, or moved): ask again at once.
    if (tried.size === 0 && !this.init.paths.mayAsk(deviceId, Date.now())) return undefined
    this.init.paths.asked(deviceId, Date.now())
    const told = await this.init.ask(peer, target.username).catch((err: unknown) => {
      this.init.log.debug(
        { device: deviceId, err: (err as Error).message },
        'asking for direct addresses failed',
      )
      return []
    })
    const fresh = directOnly(told).filter((a) => !tried.has(a))
    if (fresh.length === 0 || !this.init.paths.mayTryDirect(deviceId, Date.now())) return undefined
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
        const conn = await this.init.node.dial(multiaddr(withPeer(a, deviceId)), {
          signal: AbortSignal.timeout(DIRECT_DIAL_MS),
        })
        // A dial joins one already under way to the same peer, which may be a relayed one.
        if (conn.direct) {
          this.init.paths.directWorked(deviceId)
          this.dropRelayed(conn)
          return conn
        }
      } catch {
        // the next address
      }
    }
    this.init.paths.directFailed(deviceId, Date.now())
    return undefined
  }

  /**
   * A direct connection came: relayed ones to the same device are closed (as
   * DCUtR did), so that pooled streams move to the direct one and the relay's
   * slot is free. A stream still on one breaks and is retried (a push) or
   * resumed (a file pull).
   */
  private dropRelayed(direct: Connection): void {
    for (const c of this.init.node.getConnections(direct.remotePeer))
      if (!c.direct && c.status === 'open')
        void c.close({ signal: AbortSignal.timeout(2_000) }).catch((err: unknown) => c.abort(err as Error))
  }

  /**
   * Through the device's relays one at a time (libp2p joins dials to one peer), relays this device is
   * attached to first and ones it just lost last, each but the last for at most RELAY_TRY_MS, the last
   * for `timeoutMs` (relay-order.ts).
   */
  private async dialRelayed(deviceId: string, circuits: string[], timeoutMs: number): Promise<Connection> {
    const ordered = orderCircuits(circuits, this.init.relayHealth ?? (() => 'unknown'))
    let last: unknown
    for (let i = 0; i < ordered.length; i++) {
      const budget = circuitBudgetMs(timeoutMs, ordered.length - i)
      try {
        return await this.init.node.dial(multiaddr(withPeer(ordered[i]!, deviceId)), {
          signal: AbortSignal.timeout(budget),
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
  reverseSoon(deviceId: string): void {
    if (this.reversals.has(deviceId)) return
    const timer = setTimeout(() => {
      this.reversals.delete(deviceId)
      const peer = peerIdFromString(deviceId)
      if (bestConnection(this.init.node, peer)?.direct === true) return
      if (!this.init.paths.mayTryDirect(deviceId, Date.now())) return
      void this.dialDirect(deviceId, this.init.paths.addrs(deviceId), new Set()).then((conn) => {
        if (conn !== undefined)
          this.init.log.debug({ device: deviceId }, 'reached a contact directly by dialling back')
      })
    }, REVERSE_AFTER_MS)
    timer.unref()
    this.reversals.set(deviceId, timer)
  }

  stop(): void {
    for (const t of this.reversals.values()) clearTimeout(t)
    this.reversals.clear()
  }
}

function withPeer(addr: string, deviceId: string): string {
  return addr.includes(`/p2p/${deviceId}`) ? addr : `${addr}/p2p/${deviceId}`
}
