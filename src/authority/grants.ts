/**
 * Who may run a supernode: the operator's grants. The store keeps them; this
 * decides what a grant means for certificates (a granted account's next
 * certificate carries maySupernode, anyone else's does not) and signs the
 * grant list supernodes check announcements against. Transport-free: the
 * HTTP routes (grants-http.ts) and the CLI (which opens the store itself)
 * both call it.
 */
import type { Signer } from '../crypto/keys.js'
import { signSupernodeGrantList } from '../trust/grants.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Limits } from '../wire/limits.js'
import { AuthorityError } from './errors.js'
import type { NetworkSettings } from './files.js'
import type { AccountRecord, AuthorityStore, DevicePolicyFlags, SupernodeGrantRecord } from './store/types.js'

/** A list is re-signed when its sequence changes, and at least this often so its issuedAt stays fresh. */
const RESIGN_MS = 60_000

export interface SupernodeGrantsInit {
  store: AuthorityStore
  signer: Signer
  settings: NetworkSettings
  now: () => number
}

export class SupernodeGrants {
  private cached: { seq: number; at: number; bytes: Uint8Array } | undefined

  constructor(private readonly init: SupernodeGrantsInit) {}

  /**
   * True while network.json still lets every account run a supernode (a
   * network from before grants, until `parley authority migrate`). Then no
   * grant list is served, and supernodes go by the certificate flag alone.
   */
  get open(): boolean {
    return this.init.settings.policies.defaultDevicePolicy.maySupernode
  }

  async grant(username: string): Promise<SupernodeGrantRecord> {
    let record: SupernodeGrantRecord | undefined
    try {
      record = await this.init.store.grantSupernode(username, this.init.now(), Limits.supernodeGrants)
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

  list(): Promise<SupernodeGrantRecord[]> {
    return this.init.store.listSupernodeGrants()
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

  /** The signed grant list; 404 not_found while the network is still open to every account. */
  async signedList(): Promise<Uint8Array> {
    if (this.open) {
      throw new AuthorityError(
        404,
        ErrorCode.NotFound,
        'this network lets every account run a supernode and signs no grant list; parley authority migrate turns grants on',
      )
    }
    const now = this.init.now()
    const seq = await this.sequence()
    const cached = this.cached
    if (cached !== undefined && cached.seq === seq && now - cached.at < RESIGN_MS) return cached.bytes
    const grants = await this.list()
    const bytes = signSupernodeGrantList(
      { networkId: this.init.settings.networkId, sequence: seq, issuedAt: now, grants },
      this.init.signer,
    )
    this.cached = { seq, at: now, bytes }
    return bytes
  }
}
