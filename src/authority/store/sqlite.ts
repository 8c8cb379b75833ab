import Database from 'better-sqlite3'
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

interface AccountRow {
  username: string
  password_hash: string
  created_at: number
  policy: string | null
  organisation: string | null
}

interface DeviceRow {
  device_id: string
  username: string
  public_key: Buffer
  name: string
  created_at: number
  last_sign_in_at: number
  revoked_at: number | null
}

interface RevocationRow {
  seq: number
  device_id: string
  username: string
  revoked_at: number
  revoked_by: 'owner' | 'admin'
}

interface GrantRow {
  username: string
  granted_at: number
  seat: Buffer | null
  places: number
}

/** How long a connection waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000

/**
 * Opens (creating if needed) the database file. The caller creates its
 * directory and calls migrate() before use.
 */
export function openSqliteStore(path: string): SqliteStore {
  const db = new Database(path)
  // Set first: switching to WAL itself needs a lock another connection may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  db.pragma('journal_mode = WAL')
  // In WAL mode NORMAL cannot corrupt the database; a power cut may only lose the last commits.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  return new SqliteStore(db)
}

/**
 * better-sqlite3 is synchronous; each method does its work in one call and
 * hands back a settled promise, so no transaction ever spans an await.
 */
export class SqliteStore implements AuthorityStore {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.#db = db
  }

  migrate(): Promise<void> {
    return settle(() => {
      // IMMEDIATE takes the write lock up front, so concurrent migrators queue instead of racing.
      this.#db
        .transaction(() => {
          this.#db.exec(SCHEMA_MIGRATIONS_TABLE.sqlite)
          const rows = this.#db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]
          const applied = new Set(rows)
          for (const migration of MIGRATIONS) {
            if (applied.has(migration.id)) continue
            this.#db.exec(migration.sqlite)
            this.#db.prepare('INSERT INTO schema_migrations (id) VALUES (?)').run(migration.id)
          }
        })
        .immediate()
    })
  }

  close(): Promise<void> {
    return settle(() => {
      if (this.#db.open) this.#db.close()
    })
  }

  ping(): Promise<void> {
    return settle(() => {
      this.#prepare('SELECT 1').get()
    })
  }

  createAccount(account: AccountRecord): Promise<void> {
    return settle(() => {
      const { changes } = this.#prepare(
        `INSERT INTO accounts (username, password_hash, created_at, policy, organisation)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
      ).run(
        account.username,
        account.passwordHash,
        account.createdAt,
        account.policy === null ? null : JSON.stringify(account.policy),
        account.organisation,
      )
      if (changes === 0) throw new UsernameTakenError(account.username)
    })
  }

  getAccount(username: string): Promise<AccountRecord | undefined> {
    return settle(() => {
      const row = this.#prepare('SELECT * FROM accounts WHERE username = ?').get(username) as
        AccountRow | undefined
      return row === undefined ? undefined : toAccount(row)
    })
  }

  countAccounts(): Promise<number> {
    return settle(() => this.#prepare('SELECT COUNT(*) FROM accounts').pluck().get() as number)
  }

  putChallenge(nonce: Uint8Array, expiresAt: number): Promise<void> {
    return settle(() => {
      this.#prepare('INSERT INTO challenges (nonce, expires_at) VALUES (?, ?)').run(
        toBuffer(nonce),
        expiresAt,
      )
    })
  }

  takeChallenge(nonce: Uint8Array, now: number): Promise<boolean> {
    return settle(() => {
      // One DELETE is atomic: of several connections racing, only one sees a change.
      const { changes } = this.#prepare('DELETE FROM challenges WHERE nonce = ? AND expires_at > ?').run(
        toBuffer(nonce),
        now,
      )
      return changes === 1
    })
  }

  purgeChallenges(now: number): Promise<number> {
    return settle(() => this.#prepare('DELETE FROM challenges WHERE expires_at <= ?').run(now).changes)
  }

  upsertDevice(device: {
    deviceId: string
    username: string
    publicKey: Uint8Array
    name: string
    now: number
  }): Promise<DeviceRecord> {
    return settle(() => {
      // The WHERE makes a conflict with another account's device update nothing and return no row.
      const row = this.#prepare(
        `INSERT INTO devices (device_id, username, public_key, name, created_at, last_sign_in_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE
           SET name = excluded.name, last_sign_in_at = excluded.last_sign_in_at
           WHERE devices.username = excluded.username
         RETURNING *`,
      ).get(
        device.deviceId,
        device.username,
        toBuffer(device.publicKey),
        device.name,
        device.now,
        device.now,
      ) as DeviceRow | undefined
      if (row === undefined) throw new DeviceOwnedElsewhereError(device.deviceId)
      return toDevice(row)
    })
  }

  getDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    return settle(() => {
      const row = this.#prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as
        DeviceRow | undefined
      return row === undefined ? undefined : toDevice(row)
    })
  }

  listDevices(username: string): Promise<DeviceRecord[]> {
    return settle(() => {
      const rows = this.#prepare(
        'SELECT * FROM devices WHERE username = ? ORDER BY created_at, device_id',
      ).all(username) as DeviceRow[]
      return rows.map(toDevice)
    })
  }

  recordCertificate(cert: Omit<CertificateRecord, 'serial'>): Promise<bigint> {
    return settle(
      () =>
        this.#prepare(
          `INSERT INTO certificates (device_id, not_before, not_after, issued_at)
           VALUES (?, ?, ?, ?) RETURNING serial`,
        )
          .pluck()
          .safeIntegers()
          .get(cert.deviceId, cert.notBefore, cert.notAfter, cert.issuedAt) as bigint,
    )
  }

  revokeDevice(deviceId: string, by: 'owner' | 'admin', now: number): Promise<RevocationRecord | undefined> {
    return settle(() =>
      // IMMEDIATE: two connections must not both see "not revoked yet" and race on the UNIQUE constraint.
      this.#db
        .transaction((): RevocationRecord | undefined => {
          const username = this.#prepare('SELECT username FROM devices WHERE device_id = ?')
            .pluck()
            .get(deviceId) as string | undefined
          if (username === undefined) return undefined
          const existing = this.#prepare('SELECT * FROM revocations WHERE device_id = ?').get(deviceId) as
            RevocationRow | undefined
          if (existing !== undefined) return toRevocation(existing)
          const row = this.#prepare(
            `INSERT INTO revocations (device_id, username, revoked_at, revoked_by)
             VALUES (?, ?, ?, ?) RETURNING *`,
          ).get(deviceId, username, now, by) as RevocationRow
          this.#prepare('UPDATE devices SET revoked_at = ? WHERE device_id = ?').run(now, deviceId)
          return toRevocation(row)
        })
        .immediate(),
    )
  }

  listRevocations(since: number): Promise<RevocationRecord[]> {
    return settle(() => {
      const rows = this.#prepare('SELECT * FROM revocations WHERE revoked_at >= ? ORDER BY seq').all(
        since,
      ) as RevocationRow[]
      return rows.map(toRevocation)
    })
  }

  revocationSequence(): Promise<number> {
    return settle(
      () => this.#prepare('SELECT COALESCE(MAX(seq), 0) FROM revocations').pluck().get() as number,
    )
  }

  grantSupernode(
    username: string,
    now: number,
    limit: number,
    terms: GrantTerms,
  ): Promise<SupernodeGrantRecord | undefined> {
    return settle(() =>
      // IMMEDIATE: the count and the insert must see the same rows, and change seqs follow commit order.
      this.#db
        .transaction((): SupernodeGrantRecord | undefined => {
          if (this.#prepare('SELECT 1 FROM accounts WHERE username = ?').get(username) === undefined)
            return undefined
          const existing = this.#grant(username)
          if (existing !== undefined) {
            if (terms.places === undefined || terms.places === existing.places) return existing
            this.#prepare('UPDATE supernode_grants SET places = ? WHERE username = ?').run(
              terms.places,
              username,
            )
            this.#logGrantChange(username, 'grant', now)
            return { ...existing, places: terms.places }
          }
          const count = this.#prepare('SELECT COUNT(*) FROM supernode_grants').pluck().get() as number
          if (count >= limit) throw new GrantLimitError(limit)
          const places = terms.places ?? 1
          this.#prepare(
            'INSERT INTO supernode_grants (username, granted_at, seat, places) VALUES (?, ?, ?, ?)',
          ).run(username, now, Buffer.from(terms.seat), places)
          this.#logGrantChange(username, 'grant', now)
          return { username, grantedAt: now, seat: new Uint8Array(terms.seat), places }
        })
        .immediate(),
    )
  }

  seatSupernodeGrants(draw: () => Uint8Array): Promise<number> {
    return settle(() =>
      this.#db
        .transaction((): number => {
          const unseated = this.#prepare(
            'SELECT username FROM supernode_grants WHERE seat IS NULL ORDER BY username',
          )
            .pluck()
            .all() as string[]
          const set = this.#prepare(
            'UPDATE supernode_grants SET seat = ? WHERE username = ? AND seat IS NULL',
          )
          for (const username of unseated) set.run(Buffer.from(draw()), username)
          return unseated.length
        })
        .immediate(),
    )
  }

  revokeSupernode(username: string, now: number): Promise<boolean> {
    return settle(() =>
      this.#db
        .transaction((): boolean => {
          const { changes } = this.#prepare('DELETE FROM supernode_grants WHERE username = ?').run(username)
          if (changes === 0) return false
          this.#logGrantChange(username, 'revoke', now)
          return true
        })
        .immediate(),
    )
  }

  getSupernodeGrant(username: string): Promise<SupernodeGrantRecord | undefined> {
    return settle(() => this.#grant(username))
  }

  listSupernodeGrants(): Promise<SupernodeGrantRecord[]> {
    return settle(() =>
      (this.#prepare('SELECT * FROM supernode_grants ORDER BY username').all() as GrantRow[]).map(toGrant),
    )
  }

  supernodeGrantSequence(): Promise<number> {
    return settle(
      () =>
        this.#prepare('SELECT COALESCE(MAX(seq), 0) FROM supernode_grant_changes').pluck().get() as number,
    )
  }

  #grant(username: string): SupernodeGrantRecord | undefined {
    const row = this.#prepare('SELECT * FROM supernode_grants WHERE username = ?').get(username) as
      GrantRow | undefined
    return row === undefined ? undefined : toGrant(row)
  }

  #logGrantChange(username: string, change: 'grant' | 'revoke', now: number): void {
    this.#prepare('INSERT INTO supernode_grant_changes (username, change, at) VALUES (?, ?, ?)').run(
      username,
      change,
      now,
    )
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }
}

/** Runs synchronous work so that a throw becomes a rejection, as callers of an async API expect. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()))
}

/** A view, not a copy: better-sqlite3 binds Buffers as BLOBs. */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function toAccount(row: AccountRow): AccountRecord {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    // Written by createAccount from a DevicePolicyFlags, so the shape is known.
    policy: row.policy === null ? null : (JSON.parse(row.policy) as DevicePolicyFlags),
    organisation: row.organisation,
  }
}

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    deviceId: row.device_id,
    username: row.username,
    // A plain Uint8Array copy, so callers never hold a Buffer or share its memory.
    publicKey: new Uint8Array(row.public_key),
    name: row.name,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
    revokedAt: row.revoked_at,
  }
}

function toRevocation(row: RevocationRow): RevocationRecord {
  return {
    seq: row.seq,
    deviceId: row.device_id,
    username: row.username,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  }
}

function toGrant(row: GrantRow): SupernodeGrantRecord {
  return {
    username: row.username,
    grantedAt: row.granted_at,
    ...(row.seat === null ? {} : { seat: new Uint8Array(row.seat) }),
    places: row.places,
  }
}
