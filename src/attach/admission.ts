import { InvalidOptionError } from '../util/errors.js'
import { ErrorCode } from '../wire/error-codes.js'
import type { HostHint } from './host-cache.js'
import { compareHosts, hasRoom } from './rank.js'

/**
 * The supernode side of attachment (rule 4: an overloaded supernode degrades,
 * it does not quit). Up to `capacity` devices are admitted; past that a device
 * is answered "busy, try these" with the least loaded supernodes that still
 * have room. A device already served is never dropped to make room, and a
 * lowered capacity (setCapacity, when the host is short of CPU or memory) only
 * stops new admissions: the devices already here stay until they leave.
 *
 * One account may hold at most `perAccount` of the slots (issue 10, M7): else
 * one account with many device keys could take all of a supernode's capacity.
 * Its next device is refused `account_limit` (no hints: the account is the
 * limit here, not the load), and may attach elsewhere.
 */
export type AdmissionVerdict =
  | { ok: true }
  | { ok: false; hints: HostHint[] }
  | { ok: false; hints: []; refused: typeof ErrorCode.AccountLimit }

export interface AdmissionInit {
  /** Devices served at once. Default 800. */
  capacity?: number
  /** Supernodes recommended in a busy answer. Default 3. */
  hintCount?: number
  /** This supernode's own peer id, so it never recommends itself. */
  self?: string
  /** Devices of one account served at once (`parley supernode --account-devices`). Default 8. */
  perAccount?: number
}

export const ADMISSION_DEFAULTS = { capacity: 800, hintCount: 3, perAccount: 8 } as const

export class Admission {
  /** Admitted device → its account ('' when the caller gave none). */
  private readonly devices = new Map<string, string>()
  private readonly accounts = new Map<string, number>()
  private readonly perAccount: number
  private cap: number
  private readonly hintCount: number
  private readonly self: string | undefined

  constructor(opts: AdmissionInit = {}) {
    this.cap = checkCount('capacity', opts.capacity ?? ADMISSION_DEFAULTS.capacity)
    this.hintCount = checkCount('hintCount', opts.hintCount ?? ADMISSION_DEFAULTS.hintCount)
    this.self = opts.self
    this.perAccount = checkCount('perAccount', opts.perAccount ?? ADMISSION_DEFAULTS.perAccount)
  }

  /**
   * `others` is this supernode's current view of the other supernodes (from
   * their signed announcements). An admitted device asking again is ok: a
   * retried request or a reconnection must not be counted twice. `account`
   * is the device's username (from its verified certificate).
   */
  admit(deviceId: string, others: readonly HostHint[], account = ''): AdmissionVerdict {
    if (this.devices.has(deviceId)) return { ok: true }
    if (account !== '' && (this.accounts.get(account) ?? 0) >= this.perAccount)
      return { ok: false, hints: [], refused: ErrorCode.AccountLimit }
    if (this.devices.size < this.cap) {
      this.devices.set(deviceId, account)
      if (account !== '') this.accounts.set(account, (this.accounts.get(account) ?? 0) + 1)
      return { ok: true }
    }
    return { ok: false, hints: this.hints(others) }
  }

  release(deviceId: string): void {
    const account = this.devices.get(deviceId)
    if (account === undefined) return
    this.devices.delete(deviceId)
    const n = (this.accounts.get(account) ?? 0) - 1
    if (n <= 0) this.accounts.delete(account)
    else this.accounts.set(account, n)
  }

  /** Devices of `account` admitted here. */
  devicesOf(account: string): number {
    return this.accounts.get(account) ?? 0
  }

  has(deviceId: string): boolean {
    return this.devices.has(deviceId)
  }

  get load(): number {
    return this.devices.size
  }

  get capacity(): number {
    return this.cap
  }

  /** Shrinks or grows what this supernode takes on; never evicts (load may stay above it for a while). */
  setCapacity(capacity: number): void {
    this.cap = checkCount('capacity', capacity)
  }

  private hints(others: readonly HostHint[]): HostHint[] {
    return others
      .filter((h) => h.peerId !== this.self && hasRoom(h))
      .sort(compareHosts)
      .slice(0, this.hintCount)
      .map((h) => ({ ...h, addrs: [...h.addrs] }))
  }
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be an integer >= 0, got ${value}`)
  }
  return value
}
