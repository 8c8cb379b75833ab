/**
 * The authority's storage contract. Two implementations pass the same suite
 * (store.suite.ts): SQLite for a single authority, PostgreSQL for several
 * authority processes sharing one database. Times are milliseconds since the
 * Unix epoch, passed in by the caller: a store never reads the clock.
 */

export interface DevicePolicyFlags {
  maySupernode: boolean
  mayRelay: boolean
  maySendFiles: boolean
}

export interface AccountRecord {
  username: string
  /** Self-describing password hash string (see authority/password.ts). */
  passwordHash: string
  createdAt: number
  /** Per-account policy; null means "use the network config's defaults". */
  policy: DevicePolicyFlags | null
  organisation: string | null
}

export interface DeviceRecord {
  /** libp2p peer id string of the device's Ed25519 key. */
  deviceId: string
  username: string
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  name: string
  createdAt: number
  lastSignInAt: number
  revokedAt: number | null
}

export interface RevocationRecord {
  /** Strictly increasing across the whole database; the revocation list's sequence is the highest one. */
  seq: number
  deviceId: string
  username: string
  revokedAt: number
  /** 'owner' or 'admin'. */
  revokedBy: 'owner' | 'admin'
}

export interface CertificateRecord {
  serial: bigint
  deviceId: string
  notBefore: number
  notAfter: number
  issuedAt: number
}

export interface SupernodeGrantRecord {
  username: string
  grantedAt: number
  /**
   * Limits.seatBytes random bytes the authority drew when it granted the role: where
   * placement puts the account's supernodes. Undefined only for grants made before seats,
   * until seatSupernodeGrants() draws theirs.
   */
  seat?: Uint8Array
  /** How many of the account's live supernodes placement places (1 or more). */
  places: number
}

/** What a grant says beside the account: its seat (used only by a new grant) and its places. */
export interface GrantTerms {
  seat: Uint8Array
  /** Undefined: 1 for a new grant, unchanged for a held one. */
  places?: number
}

export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError'
  constructor(username: string) {
    super(`username ${username} is taken`)
  }
}

export class DeviceOwnedElsewhereError extends Error {
  override name = 'DeviceOwnedElsewhereError'
  constructor(deviceId: string) {
    super(`device ${deviceId} belongs to another account`)
  }
}

/** The grant list is at its cap: a grant past it would make a list no node accepts. */
export class GrantLimitError extends Error {
  override name = 'GrantLimitError'
  constructor(limit: number) {
    super(`the supernode grant list holds its maximum of ${limit} accounts`)
  }
}

export interface AuthorityStore {
  /** Brings the schema up to date; safe to call from several processes at once. */
  migrate(): Promise<void>
  close(): Promise<void>
  /** Throws when the database cannot answer (used by /health). */
  ping(): Promise<void>

  /** Throws UsernameTakenError when the username exists. */
  createAccount(account: AccountRecord): Promise<void>
  getAccount(username: string): Promise<AccountRecord | undefined>
  countAccounts(): Promise<number>

  /** Stores a sign-in challenge nonce until expiresAt. */
  putChallenge(nonce: Uint8Array, expiresAt: number): Promise<void>
  /** Atomically consumes a challenge: true once if it exists and has not expired at `now`, false otherwise. */
  takeChallenge(nonce: Uint8Array, now: number): Promise<boolean>
  /** Deletes expired challenges; returns how many. */
  purgeChallenges(now: number): Promise<number>

  /**
   * Creates the device or refreshes its name and lastSignInAt.
   * Throws DeviceOwnedElsewhereError when the key is registered to another username.
   */
  upsertDevice(device: {
    deviceId: string
    username: string
    publicKey: Uint8Array
    name: string
    now: number
  }): Promise<DeviceRecord>
  getDevice(deviceId: string): Promise<DeviceRecord | undefined>
  listDevices(username: string): Promise<DeviceRecord[]>

  /** Records an issued certificate and returns its serial: unique and increasing across all authority processes. */
  recordCertificate(cert: Omit<CertificateRecord, 'serial'>): Promise<bigint>

  /**
   * Revokes a device. Idempotent: revoking a revoked device returns the existing record.
   * Returns undefined when the device does not exist.
   */
  revokeDevice(deviceId: string, by: 'owner' | 'admin', now: number): Promise<RevocationRecord | undefined>
  /** Revocations with revokedAt >= since, ordered by seq. */
  listRevocations(since: number): Promise<RevocationRecord[]>
  /** Highest revocation seq, 0 when none. */
  revocationSequence(): Promise<number>

  /**
   * Grants the supernode role with `terms.seat`. Idempotent: an existing grant
   * keeps its time and seat (a seat is drawn again only by a withdrawal and a
   * new grant), and the sequence stays unless `terms.places` changes its
   * places. Undefined when the account does not exist; GrantLimitError when
   * `limit` accounts already hold it.
   */
  grantSupernode(
    username: string,
    now: number,
    limit: number,
    terms: GrantTerms,
  ): Promise<SupernodeGrantRecord | undefined>
  /**
   * Gives every grant without a seat (made before seats) one from `draw`;
   * returns how many. Several processes may race: each grant keeps the first seat written.
   */
  seatSupernodeGrants(draw: () => Uint8Array): Promise<number>
  /** Withdraws the role; false when the account did not hold it (the sequence stays). */
  revokeSupernode(username: string, now: number): Promise<boolean>
  getSupernodeGrant(username: string): Promise<SupernodeGrantRecord | undefined>
  /** Every grant, ordered by username. */
  listSupernodeGrants(): Promise<SupernodeGrantRecord[]>
  /** Raised by every grant and withdrawal, across all authority processes; 0 before the first. */
  supernodeGrantSequence(): Promise<number>
}
