/**
 * Which of a device's addresses go where (issue 10, M6), sans-IO.
 *
 * A device's direct addresses (the IP:port it listens on) say where its user
 * is. Everyone may learn its relay circuits (…/p2p/<supernode>/p2p-circuit/
 * p2p/<device>): they name only the supernodes that relay for it. So
 *
 * - the presence record in the directory, identify and identify-push carry
 *   circuits only (`circuitsOnly`, the host's announce filter);
 * - direct addresses go only to the user's own other devices and to accepted
 *   contacts' devices, over /parley/direct/1.0.0 (src/device/direct-addrs.ts),
 *   after the certificate and the connection's key say who asks;
 * - a device dials another directly only when that one is its own user's or a
 *   contact's (`dialPlan`, and the host's connection gater through
 *   `DirectPaths.mayDialDirect`): a direct dial shows the dialled side the
 *   dialler's address just as surely as an answer would.
 *
 * `DirectPaths` is a device's memory of all this: what contacts' devices told
 * it, which peers are devices and whose, and when to try a direct dial or ask
 * again. Bounded, so a busy contact list or a hostile peer cannot grow it.
 */

import { DirectWireLimits } from '../wire/direct.js'

/** A device's relation to the user of the device at the other end. */
export type Relation = 'own' | 'contact' | 'stranger'

export const DirectLimits = {
  /** Direct addresses kept per device, and sent in one answer. */
  addrs: DirectWireLimits.addrs,
  /** Devices remembered, of known users and apart of unknown ones; past it the least recently noted go first. */
  devices: 4096,
} as const

/** A failed direct dial to a device is not tried again for this long (a relayed path works meanwhile). */
export const DIRECT_RETRY_MS = 60_000
/** A device is asked for its direct addresses at most this often. */
export const ASK_AGAIN_MS = 30_000

export function isCircuit(addr: string): boolean {
  return addr.includes('/p2p-circuit')
}

function unique(addrs: Iterable<string>): string[] {
  return [...new Set(addrs)]
}

/** What anyone may learn: the relay circuits, each once. */
export function circuitsOnly(addrs: readonly string[]): string[] {
  return unique(addrs.filter(isCircuit))
}

/** What only contacts and own devices may learn: the direct addresses, each once, at most `DirectLimits.addrs`. */
export function directOnly(addrs: readonly string[]): string[] {
  return unique(addrs.filter((a) => a.startsWith('/') && !isCircuit(a))).slice(0, DirectLimits.addrs)
}

/** libp2p's announce filter for a device: identify, identify-push and the peer record carry circuits only. */
export function announceCircuitsOnly<T extends { toString(): string }>(addrs: T[]): T[] {
  return addrs.filter((a) => isCircuit(a.toString()))
}

/** Whether a device's direct addresses may go to a device of a user in this relation. */
export function mayShareDirect(relation: Relation): boolean {
  return relation !== 'stranger'
}

export interface DialPlan {
  /** Tried first, in order; empty for a stranger. */
  direct: string[]
  /** The fallback: the device's relay circuits. */
  relayed: string[]
}

/**
 * The addresses to try for a device, direct first. `published` is its
 * presence record's list: a device of this version publishes circuits only,
 * an older one direct addresses too (used for a contact, as before).
 * `learned` is what the device told us over /parley/direct. A stranger is
 * dialled through its relay only, so it never sees our address.
 */
export function dialPlan(
  relation: Relation,
  published: readonly string[],
  learned: readonly string[],
): DialPlan {
  return {
    direct: mayShareDirect(relation) ? directOnly([...learned, ...published]) : [],
    relayed: circuitsOnly(published),
  }
}

interface DeviceEntry {
  /** Its user, when a certificate or a verified record said; undefined for a peer seen only on a relayed connection. */
  username: string | undefined
  addrs: string[]
  /** When a direct dial to it last failed. */
  failedAt?: number
  /** When we last asked it for its direct addresses. */
  askedAt?: number
}

export interface DirectPathsOptions {
  maxDevices?: number
  retryMs?: number
  askAgainMs?: number
}

export class DirectPaths {
  /** Devices whose user a verified record, event or certificate named. */
  private readonly named = new Map<string, DeviceEntry>()
  /**
   * Peers seen only on a relayed connection: devices of nobody we know.
   * Apart, so that a flood of them (throwaway keys cost nothing) never
   * pushes a contact's device out.
   */
  private readonly anonymous = new Map<string, DeviceEntry>()
  private readonly maxDevices: number
  private readonly retryMs: number
  private readonly askAgainMs: number

  constructor(opts: DirectPathsOptions = {}) {
    this.maxDevices = opts.maxDevices ?? DirectLimits.devices
    this.retryMs = opts.retryMs ?? DIRECT_RETRY_MS
    this.askAgainMs = opts.askAgainMs ?? ASK_AGAIN_MS
  }

  private entry(deviceId: string): DeviceEntry | undefined {
    return this.named.get(deviceId) ?? this.anonymous.get(deviceId)
  }

  /**
   * `deviceId` is a device, of `username` when known (a verified presence
   * record, chat event or certificate says so; a peer that reached us over a
   * relay is a device of nobody we know). A known user is never forgotten
   * for an unknown one.
   */
  noteDevice(deviceId: string, username?: string): void {
    if (username === undefined) {
      const named = this.named.get(deviceId)
      if (named !== undefined) this.touch(this.named, deviceId, named)
      else this.touch(this.anonymous, deviceId, this.anonymous.get(deviceId) ?? { username, addrs: [] })
      return
    }
    this.anonymous.delete(deviceId)
    const entry = this.named.get(deviceId)
    // Another user's certificate for the same key cannot happen; a stale entry can: start over.
    this.touch(this.named, deviceId, entry?.username === username ? entry : { username, addrs: [] })
  }

  /** (Re)inserts last, so the least recently noted go first when the map is full. */
  private touch(map: Map<string, DeviceEntry>, deviceId: string, entry: DeviceEntry): void {
    map.delete(deviceId)
    map.set(deviceId, entry)
    while (map.size > this.maxDevices) map.delete(map.keys().next().value as string)
  }

  usernameOf(deviceId: string): string | undefined {
    return this.named.get(deviceId)?.username
  }

  isDevice(deviceId: string): boolean {
    return this.entry(deviceId) !== undefined
  }

  /** A device of `username` told us its direct addresses (replacing what it said before). */
  learn(deviceId: string, username: string, addrs: readonly string[]): void {
    this.noteDevice(deviceId, username)
    const entry = this.named.get(deviceId)!
    const direct = directOnly(addrs)
    if (direct.join(' ') !== entry.addrs.join(' ')) entry.failedAt = undefined
    entry.addrs = direct
  }

  /** The direct addresses a device told us, if any. */
  addrs(deviceId: string): string[] {
    return [...(this.named.get(deviceId)?.addrs ?? [])]
  }

  /**
   * Whether a direct dial to `deviceId` is allowed at all: a peer we do not
   * know as a device (a supernode) may be dialled directly; a device only
   * when its user is our own or a contact.
   */
  mayDialDirect(deviceId: string, relationOf: (username: string) => Relation): boolean {
    const entry = this.entry(deviceId)
    if (entry === undefined) return true
    return entry.username !== undefined && mayShareDirect(relationOf(entry.username))
  }

  /** Whether a direct dial to the device is worth trying now (not within retryMs of a failed one). */
  mayTryDirect(deviceId: string, now: number): boolean {
    const failedAt = this.entry(deviceId)?.failedAt
    return failedAt === undefined || now - failedAt >= this.retryMs
  }

  directFailed(deviceId: string, now: number): void {
    const entry = this.entry(deviceId)
    if (entry !== undefined) entry.failedAt = now
  }

  directWorked(deviceId: string): void {
    const entry = this.entry(deviceId)
    if (entry !== undefined) entry.failedAt = undefined
  }

  /** Whether to ask the device for its direct addresses now (at most once per askAgainMs). */
  mayAsk(deviceId: string, now: number): boolean {
    const askedAt = this.entry(deviceId)?.askedAt
    return askedAt === undefined || now - askedAt >= this.askAgainMs
  }

  asked(deviceId: string, now: number): void {
    const entry = this.entry(deviceId)
    if (entry !== undefined) entry.askedAt = now
  }

  get size(): number {
    return this.named.size + this.anonymous.size
  }
}
