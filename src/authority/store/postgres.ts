import pg from 'pg'
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './migrations.js'
import {
  DeviceOwnedElsewhereError,
  GrantLimitError,
  UsernameTakenError,
  type AccountRecord,
  type AuthorityStore,
  type CertificateRecord,
  type DevicePolicyFlags,
  type DeviceRecord,
  type RevocationRecord,
  type GrantTerms,
  type SupernodeGrantRecord,
} from './types.js'

// pg returns BIGINT columns as strings, since they may exceed Number.MAX_SAFE_INTEGER.
type BigintText = string

interface AccountRow {
  username: string
  password_hash: string
  created_at: BigintText
  policy: string | null
  organisation: string | null
}

interface DeviceRow {
  device_id: string
  username: string
  public_key: Buffer
  name: string
  created_at: BigintText
  last_sign_in_at: BigintText
  revoked_at: BigintText | null
}

interface RevocationRow {
  seq: BigintText
  device_id: string
  username: string
  revoked_at: BigintText
  revoked_by: 'owner' | 'admin'
}

interface GrantRow {
  username: string
  granted_at: BigintText
  seat: Buffer | null
  places: number
}

/** Advisory lock keys: a namespace ("parl" in ASCII) and one key per purpose. */
const LOCK_NAMESPACE = 0x7061726c
const LOCK_MIGRATIONS = 1
const LOCK_REVOCATIONS = 2
const LOCK_GRANTS = 3

export interface PostgresStoreInit {
  /** Pool size; default 10. */
  max?: number
  /** Errors of idle pooled connections (e.g. the server restarted). Default: ignored, the next query reports them. */
  onError?: (err: Error) => void
}

/** Connects lazily; the caller calls migrate() before use. */
export function openPostgresStore(url: string, init: PostgresStoreInit = {}): PostgresStore {
  const pool = new pg.Pool({ connectionString: url, max: init.max ?? 10 })
  // Without a listener, an idle client's error would crash the process.
  pool.on('error', init.onError ?? (() => undefined))
  return new PostgresStore(pool)
}

export class PostgresStore implements AuthorityStore {
  readonly #pool: pg.Pool
  #closed = false

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async migrate(): Promise<void> {
    await this.#transaction(async (client) => {
      // Taken before anything else: concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_MIGRATIONS])
      await client.query(SCHEMA_MIGRATIONS_TABLE.postgres)
      const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations')
      const applied = new Set(rows.map((row) => row.id))
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.id)) continue
        await client.query(migration.postgres)
        await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id])
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool.end()
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1')
  }

  async createAccount(account: AccountRecord): Promise<void> {
    const { rowCount } = await this.#pool.query(
      `INSERT INTO accounts (username, password_hash, created_at, policy, organisation)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
      [
        account.username,
        account.passwordHash,
        account.createdAt,
        account.policy === null ? null : JSON.stringify(account.policy),
        account.organisation,
      ],
    )
    if (rowCount === 0) throw new UsernameTakenError(account.username)
  }

  async getAccount(username: string): Promise<AccountRecord | undefined> {
    const { rows } = await this.#pool.query<AccountRow>('SELECT * FROM accounts WHERE username = $1', [
      username,
    ])
    const row = rows[0]
    return row === undefined ? undefined : toAccount(row)
  }

  async countAccounts(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: BigintText }>('SELECT COUNT(*) AS n FROM accounts')
    return Number(first(rows).n)
  }

  async putChallenge(nonce: Uint8Array, expiresAt: number): Promise<void> {
    await this.#pool.query('INSERT INTO challenges (nonce, expires_at) VALUES ($1, $2)', [
      toBuffer(nonce),
      expiresAt,
    ])
  }

  async takeChallenge(nonce: Uint8Array, now: number): Promise<boolean> {
    // A racing DELETE waits for the first one's row lock, then finds the row gone: exactly one wins.
    const { rowCount } = await this.#pool.query(
      'DELETE FROM challenges WHERE nonce = $1 AND expires_at > $2',
      [toBuffer(nonce), now],
    )
    return rowCount === 1
  }

  async purgeChallenges(now: number): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM challenges WHERE expires_at <= $1', [now])
    return rowCount ?? 0
  }

  async upsertDevice(device: {
    deviceId: string
    username: string
    publicKey: Uint8Array
    name: string
    now: number
  }): Promise<DeviceRecord> {
    // The WHERE makes a conflict with another account's device update nothing and return no row.
    const { rows } = await this.#pool.query<DeviceRow>(
      `INSERT INTO devices (device_id, username, public_key, name, created_at, last_sign_in_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (device_id) DO UPDATE
         SET name = excluded.name, last_sign_in_at = excluded.last_sign_in_at
         WHERE devices.username = excluded.username
       RETURNING *`,
      [device.deviceId, device.username, toBuffer(device.publicKey), device.name, device.now],
    )
    const row = rows[0]
    if (row === undefined) throw new DeviceOwnedElsewhereError(device.deviceId)
    return toDevice(row)
  }

  async getDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    const { rows } = await this.#pool.query<DeviceRow>('SELECT * FROM devices WHERE device_id = $1', [
      deviceId,
    ])
    const row = rows[0]
    return row === undefined ? undefined : toDevice(row)
  }

  async listDevices(username: string): Promise<DeviceRecord[]> {
    const { rows } = await this.#pool.query<DeviceRow>(
      'SELECT * FROM devices WHERE username = $1 ORDER BY created_at, device_id',
      [username],
    )
    return rows.map(toDevice)
  }

  async recordCertificate(cert: Omit<CertificateRecord, 'serial'>): Promise<bigint> {
    const { rows } = await this.#pool.query<{ serial: BigintText }>(
      `INSERT INTO certificates (device_id, not_before, not_after, issued_at)
       VALUES ($1, $2, $3, $4) RETURNING serial`,
      [cert.deviceId, cert.notBefore, cert.notAfter, cert.issuedAt],
    )
    return BigInt(first(rows).serial)
  }

  async revokeDevice(
    deviceId: string,
    by: 'owner' | 'admin',
    now: number,
  ): Promise<RevocationRecord | undefined> {
    return this.#transaction(async (client) => {
      // Serialising revocations makes seq order equal commit order, so a reader that has seen
      // seq N has seen every revocation below N; it also makes the check-then-insert below safe.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_REVOCATIONS])
      const device = await client.query<{ username: string }>(
        'SELECT username FROM devices WHERE device_id = $1',
        [deviceId],
      )
      const owner = device.rows[0]
      if (owner === undefined) return undefined
      const existing = await client.query<RevocationRow>('SELECT * FROM revocations WHERE device_id = $1', [
        deviceId,
      ])
      if (existing.rows[0] !== undefined) return toRevocation(existing.rows[0])
      const inserted = await client.query<RevocationRow>(
        `INSERT INTO revocations (device_id, username, revoked_at, revoked_by)
         VALUES ($1, $2, $3, $4) RETURNING *`,
        [deviceId, owner.username, now, by],
      )
      await client.query('UPDATE devices SET revoked_at = $2 WHERE device_id = $1', [deviceId, now])
      return toRevocation(first(inserted.rows))
    })
  }

  async listRevocations(since: number): Promise<RevocationRecord[]> {
    const { rows } = await this.#pool.query<RevocationRow>(
      'SELECT * FROM revocations WHERE revoked_at >= $1 ORDER BY seq',
      [since],
    )
    return rows.map(toRevocation)
  }

  async revocationSequence(): Promise<number> {
    const { rows } = await this.#pool.query<{ seq: BigintText }>(
      'SELECT COALESCE(MAX(seq), 0) AS seq FROM revocations',
    )
    return Number(first(rows).seq)
  }

  async grantSupernode(
    username: string,
    now: number,
    limit: number,
    terms: GrantTerms,
  ): Promise<SupernodeGrantRecord | undefined> {
    return this.#transaction(async (client) => {
      // Serialised like revocations: change seqs follow commit order, and the count below is exact.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_GRANTS])
      const account = await client.query('SELECT 1 FROM accounts WHERE username = $1', [username])
      if (account.rowCount === 0) return undefined
      const existing = await client.query<GrantRow>('SELECT * FROM supernode_grants WHERE username = $1', [
        username,
      ])
      const held = existing.rows[0]
      if (held !== undefined) {
        const grant = toGrant(held)
        if (terms.places === undefined || terms.places === grant.places) return grant
        await client.query('UPDATE supernode_grants SET places = $1 WHERE username = $2', [
          terms.places,
          username,
        ])
        await this.#logGrantChange(client, username, 'grant', now)
        return { ...grant, places: terms.places }
      }
      const count = await client.query<{ n: BigintText }>('SELECT COUNT(*) AS n FROM supernode_grants')
      if (Number(first(count.rows).n) >= limit) throw new GrantLimitError(limit)
      const places = terms.places ?? 1
      await client.query(
        'INSERT INTO supernode_grants (username, granted_at, seat, places) VALUES ($1, $2, $3, $4)',
        [username, now, Buffer.from(terms.seat), places],
      )
      await this.#logGrantChange(client, username, 'grant', now)
      return { username, grantedAt: now, seat: new Uint8Array(terms.seat), places }
    })
  }

  async seatSupernodeGrants(draw: () => Uint8Array): Promise<number> {
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_GRANTS])
      const { rows } = await client.query<{ username: string }>(
        'SELECT username FROM supernode_grants WHERE seat IS NULL ORDER BY username COLLATE "C"',
      )
      for (const { username } of rows)
        await client.query('UPDATE supernode_grants SET seat = $1 WHERE username = $2 AND seat IS NULL', [
          Buffer.from(draw()),
          username,
        ])
      return rows.length
    })
  }

  async #logGrantChange(
    client: pg.PoolClient,
    username: string,
    change: 'grant' | 'revoke',
    now: number,
  ): Promise<void> {
    await client.query('INSERT INTO supernode_grant_changes (username, change, at) VALUES ($1, $2, $3)', [
      username,
      change,
      now,
    ])
  }

  async revokeSupernode(username: string, now: number): Promise<boolean> {
    return this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_GRANTS])
      const { rowCount } = await client.query('DELETE FROM supernode_grants WHERE username = $1', [username])
      if (rowCount === 0) return false
      await this.#logGrantChange(client, username, 'revoke', now)
      return true
    })
  }

  async getSupernodeGrant(username: string): Promise<SupernodeGrantRecord | undefined> {
    const { rows } = await this.#pool.query<GrantRow>('SELECT * FROM supernode_grants WHERE username = $1', [
      username,
    ])
    const row = rows[0]
    return row === undefined ? undefined : toGrant(row)
  }

  async listSupernodeGrants(): Promise<SupernodeGrantRecord[]> {
    // COLLATE "C": byte order, the order the signed list and SQLite use, whatever the database locale.
    const { rows } = await this.#pool.query<GrantRow>(
      'SELECT * FROM supernode_grants ORDER BY username COLLATE "C"',
    )
    return rows.map(toGrant)
  }

  async supernodeGrantSequence(): Promise<number> {
    const { rows } = await this.#pool.query<{ seq: BigintText }>(
      'SELECT COALESCE(MAX(seq), 0) AS seq FROM supernode_grant_changes',
    )
    return Number(first(rows).seq)
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      // If even ROLLBACK fails the connection is unusable: destroy it rather than return it to the pool.
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      )
      throw err
    } finally {
      client.release(broken)
    }
  }
}

/** For queries that always return a row (aggregates, INSERT ... RETURNING). */
function first<T>(rows: T[]): T {
  const row = rows[0]
  if (row === undefined) throw new Error('query returned no row')
  return row
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function toAccount(row: AccountRow): AccountRecord {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
    // Written by createAccount from a DevicePolicyFlags, so the shape is known.
    policy: row.policy === null ? null : (JSON.parse(row.policy) as DevicePolicyFlags),
    organisation: row.organisation,
  }
}

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    deviceId: row.device_id,
    username: row.username,
    // A plain copy: pg may slice small Buffers out of a shared pool.
    publicKey: new Uint8Array(row.public_key),
    name: row.name,
    createdAt: Number(row.created_at),
    lastSignInAt: Number(row.last_sign_in_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  }
}

function toRevocation(row: RevocationRow): RevocationRecord {
  return {
    seq: Number(row.seq),
    deviceId: row.device_id,
    username: row.username,
    revokedAt: Number(row.revoked_at),
    revokedBy: row.revoked_by,
  }
}

function toGrant(row: GrantRow): SupernodeGrantRecord {
  return {
    username: row.username,
    grantedAt: Number(row.granted_at),
    ...(row.seat === null ? {} : { seat: new Uint8Array(row.seat) }),
    places: row.places,
  }
}
