/**
 * Who may run a supernode: the operator's grants. The store keeps them; this
 * decides what a grant means for certificates (a granted account's next
 * certificate carries maySupernode, anyone else's does not) and signs the
 * grant list supernodes check announcements against. Transport-free: the
 * HTTP routes (grants-http.ts) and the CLI (which opens the store itself)
 * both call it.
 */
import { randomBytes } from 'node:crypto'
import type { Signer } from '../crypto/keys.js'
import { signSupernodeGrantList, signSupernodeGrantListV2 } from '../trust/grants.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import { AuthorityError } from './errors.js'
import type { NetworkSettings } from './data-dir.js'
import type { AccountRecord, AuthorityStore, DevicePolicyFlags, SupernodeGrantRecord } from './store/types.js'

/** A list is re-signed when its sequence changes, and at least this often so its issuedAt stays fresh. */
const RESIGN_MS = 60_000

export interface SupernodeGrantsInit {
  store: AuthorityStore
  signer: Signer
  settings: NetworkSettings
  now: () => number
}

/** A new grant's seat: random bytes the grantee can neither choose nor predict (docs/directory.md, "Seats"). */
export function drawSeat(): Uint8Array {
  return new Uint8Array(randomBytes(Limits.seatBytes))
}

/** A grant's places, checked: a whole number from 1 to Limits.supernodePlaces. */
export function checkPlaces(places: number): number {
  if (!Number.isInteger(places) || places < 1 || places > Limits.supernodePlaces)
    throw new AuthorityError(
      400,
      ErrorCode.InvalidField,
      `places must be a whole number from 1 to ${Limits.supernodePlaces}`,
    )
  return places
}

/** A grant as JSON (admin API, `parley authority supernode-grants --json`): the seat in hex. */
export function grantJson(g: SupernodeGrantRecord): {
  username: string
  grantedAt: number
  places: number
  seat?: string
} {
  return {
    username: g.username,
    grantedAt: g.grantedAt,
    places: g.places,
    ...(g.seat === undefined ? {} : { seat: Buffer.from(g.seat).toString('hex') }),
  }
}

export class SupernodeGrants {
  private cached: { seq: number; at: number; bytes: Uint8Array } | undefined
  private cachedV2: { seq: number; at: number; bytes: Uint8Array } | undefined

  constructor(private readonly init: SupernodeGrantsInit) {}

  /**
   * True while network.json still lets every account run a supernode (a
   * network from before grants, until `parley authority migrate`). Then no
   * grant list is served, and supernodes go by the certificate flag alone.
   */
  get open(): boolean {
    return this.init.settings.policies.defaultDevicePolicy.maySupernode
  }

  /**
   * Grants the role with a freshly drawn seat and `places` (default 1). Granting a
   * held role again keeps its seat and changes only its places, when given.
   */
  async grant(username: string, places?: number): Promise<SupernodeGrantRecord> {
    let record: SupernodeGrantRecord | undefined
    const terms = { seat: drawSeat(), ...(places === undefined ? {} : { places: checkPlaces(places) }) }
    try {
      record = await this.init.store.grantSupernode(username, this.init.now(), Limits.supernodeGrants, terms)
    } catch (err) {
      if ((err as Error).name === 'GrantLimitError')
        throw new AuthorityError(409, ErrorCode.GrantLimit, (err as Error).message)
      throw err
    }
    if (record === undefined)
      throw new AuthorityError(404, ErrorCode.AccountNotFound, `there is no account ${username}`)
    return record
  }

  /** False when the account did not hold the role. */
  revoke(username: string): Promise<boolean> {
    return this.init.store.revokeSupernode(username, this.init.now())
  }

  /** Every grant, each with its seat (grants from before seats get theirs drawn now). */
  async list(): Promise<Array<SupernodeGrantRecord & { seat: Uint8Array }>> {
    let grants = await this.init.store.listSupernodeGrants()
    if (grants.some((g) => g.seat === undefined)) {
      await this.init.store.seatSupernodeGrants(drawSeat)
      grants = await this.init.store.listSupernodeGrants()
    }
    return grants.filter((g): g is SupernodeGrantRecord & { seat: Uint8Array } => g.seat !== undefined)
  }

  sequence(): Promise<number> {
    return this.init.store.supernodeGrantSequence()
  }

  /** The policy a new certificate of this account carries: the supernode role only with a grant. */
  async policyFor(account: AccountRecord): Promise<DevicePolicyFlags> {
    const base = account.policy ?? this.init.settings.policies.defaultDevicePolicy
    if (this.open) return base
    const granted = (await this.init.store.getSupernodeGrant(account.username)) !== undefined
    return { ...base, maySupernode: granted }
  }

  /** The signed v1 grant list (accounts only); 404 not_found while the network is still open to every account. */
  async signedList(): Promise<Uint8Array> {
    this.mustBeClosed()
    const now = this.init.now()
    const seq = await this.sequence()
    const cached = this.cached
    if (cached !== undefined && cached.seq === seq && now - cached.at < RESIGN_MS) return cached.bytes
    const grants = (await this.list()).map((g) => ({ username: g.username, grantedAt: g.grantedAt }))
    const bytes = signSupernodeGrantList(
      { networkId: this.init.settings.networkId, sequence: seq, issuedAt: now, grants },
      this.init.signer,
    )
    this.cached = { seq, at: now, bytes }
    return bytes
  }

  /** The signed v2 grant list, with seats and places, at the same sequence as v1; 404 like v1. */
  async signedListV2(): Promise<Uint8Array> {
    this.mustBeClosed()
    const now = this.init.now()
    const seq = await this.sequence()
    const cached = this.cachedV2
    if (cached !== undefined && cached.seq === seq && now - cached.at < RESIGN_MS) return cached.bytes
    const grants = (await this.list()).map((g) => ({
      username: g.username,
      grantedAt: g.grantedAt,
      seat: g.seat,
      places: Math.min(g.places, Limits.supernodePlaces),
    }))
    const bytes = signSupernodeGrantListV2(
      { networkId: this.init.settings.networkId, sequence: seq, issuedAt: now, grants },
      this.init.signer,
    )
    this.cachedV2 = { seq, at: now, bytes }
    return bytes
  }

  private mustBeClosed(): void {
    if (this.open) {
      throw new AuthorityError(
        404,
        ErrorCode.NotFound,
        'this network lets every account run a supernode and signs no grant list; parley authority migrate turns grants on',
      )
    }
  }
}
