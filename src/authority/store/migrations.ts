/**
 * Schema migrations for both dialects, applied in order and recorded by id in
 * schema_migrations. Never edit a migration that has shipped: append a new one.
 *
 * Times are BIGINT milliseconds (INTEGER in SQLite). Serials and revocation
 * sequence numbers come from the database so they stay unique when several
 * authority processes share one PostgreSQL database.
 */

export interface Migration {
  /** Sortable and unique; recorded in schema_migrations. */
  id: string
  sqlite: string
  postgres: string
}

/** applied_at is for operators reading the table, so the database's own clock is fine here. */
export const SCHEMA_MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
  ) STRICT`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
} as const

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_initial',
    // STRICT tables make SQLite reject values of the wrong type instead of storing them silently.
    sqlite: `
      CREATE TABLE accounts (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        policy TEXT,
        organisation TEXT
      ) STRICT;

      CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES accounts (username),
        public_key BLOB NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_sign_in_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX devices_username ON devices (username);

      -- AUTOINCREMENT: serials must never be reused, even after the highest row is gone.
      CREATE TABLE certificates (
        serial INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL REFERENCES devices (device_id),
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        issued_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE revocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL UNIQUE REFERENCES devices (device_id),
        username TEXT NOT NULL,
        revoked_at INTEGER NOT NULL,
        revoked_by TEXT NOT NULL CHECK (revoked_by IN ('owner', 'admin'))
      ) STRICT;
      CREATE INDEX revocations_revoked_at ON revocations (revoked_at);

      CREATE TABLE challenges (
        nonce BLOB PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX challenges_expires_at ON challenges (expires_at);
    `,
    postgres: `
      CREATE TABLE accounts (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        policy TEXT,
        organisation TEXT
      );

      CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES accounts (username),
        public_key BYTEA NOT NULL,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_sign_in_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX devices_username ON devices (username);

      CREATE TABLE certificates (
        serial BIGSERIAL PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (device_id),
        not_before BIGINT NOT NULL,
        not_after BIGINT NOT NULL,
        issued_at BIGINT NOT NULL
      );

      CREATE TABLE revocations (
        seq BIGSERIAL PRIMARY KEY,
        device_id TEXT NOT NULL UNIQUE REFERENCES devices (device_id),
        username TEXT NOT NULL,
        revoked_at BIGINT NOT NULL,
        revoked_by TEXT NOT NULL CHECK (revoked_by IN ('owner', 'admin'))
      );
      CREATE INDEX revocations_revoked_at ON revocations (revoked_at);

      CREATE TABLE challenges (
        nonce BYTEA PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX challenges_expires_at ON challenges (expires_at);
    `,
  },
  {
    id: '0002_supernode_grants',
    // Grant changes are kept as a log: the grant list's sequence is its highest seq, so a
    // withdrawal raises it too (a MAX over the grants alone would go down when one is deleted).
    sqlite: `
      CREATE TABLE supernode_grants (
        username TEXT PRIMARY KEY REFERENCES accounts (username),
        granted_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE supernode_grant_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        change TEXT NOT NULL CHECK (change IN ('grant', 'revoke')),
        at INTEGER NOT NULL
      ) STRICT;
    `,
    postgres: `
      CREATE TABLE supernode_grants (
        username TEXT PRIMARY KEY REFERENCES accounts (username),
        granted_at BIGINT NOT NULL
      );

      CREATE TABLE supernode_grant_changes (
        seq BIGSERIAL PRIMARY KEY,
        username TEXT NOT NULL,
        change TEXT NOT NULL CHECK (change IN ('grant', 'revoke')),
        at BIGINT NOT NULL
      );
    `,
  },
  {
    id: '0003_supernode_seats',
    // A grant's seat (16 random bytes) and places: where placement puts the account's supernodes.
    // Seats of grants made before this are drawn by the authority (SupernodeGrants, crypto randomness)
    // before it first signs a v2 list. Places of those grants: every device the account has signed in,
    // so that an operator account running several supernodes keeps all of them placed.
    sqlite: `
      ALTER TABLE supernode_grants ADD COLUMN seat BLOB;
      ALTER TABLE supernode_grants ADD COLUMN places INTEGER NOT NULL DEFAULT 1 CHECK (places >= 1);
      UPDATE supernode_grants SET places = MAX(1, (
        SELECT COUNT(*) FROM devices
        WHERE devices.username = supernode_grants.username AND devices.revoked_at IS NULL
      ));
    `,
    postgres: `
      ALTER TABLE supernode_grants
        ADD COLUMN seat BYTEA,
        ADD COLUMN places INTEGER NOT NULL DEFAULT 1 CHECK (places >= 1);
      UPDATE supernode_grants SET places = GREATEST(1, (
        SELECT COUNT(*) FROM devices
        WHERE devices.username = supernode_grants.username AND devices.revoked_at IS NULL
      ));
    `,
  },
]
