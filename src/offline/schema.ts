/**
 * The offline store's tables, as numbered migrations run at open by
 * src/sqlite/migrate.ts (the chat store's runner; never edit a migration
 * that has shipped, append the next number). Before versioning, files held
 * items, copies and tombstones (issue 10 and before), and since issue 10 (H3)
 * each item's deposit signature beside it, so repair pushes it on unchanged,
 * and the moment this store first ran with signed deposits: unsigned items
 * stored before that moment are still repaired here until they expire
 * (admit.ts). Such files are at version 0 with some or all of version 1's
 * tables, so migration 1 creates only what is missing.
 */
import type Database from 'better-sqlite3'
import { migrate as runMigrations, type SqliteMigration } from '../sqlite/migrate.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  seq INTEGER PRIMARY KEY,
  recipient TEXT NOT NULL,
  id BLOB NOT NULL,
  sender TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  UNIQUE (recipient, id)
);
CREATE INDEX IF NOT EXISTS items_age ON items (stored_at);
CREATE INDEX IF NOT EXISTS items_order ON items (recipient, stored_at, id);
CREATE TABLE IF NOT EXISTS copies (
  item INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  id BLOB NOT NULL,
  size INTEGER NOT NULL,
  ephemeral BLOB NOT NULL,
  wrapped BLOB NOT NULL,
  PRIMARY KEY (item, device_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copies_order ON copies (recipient, device_id, stored_at, id);
CREATE TABLE IF NOT EXISTS dropped (
  recipient TEXT NOT NULL,
  id BLOB NOT NULL,
  device_id TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (recipient, id, device_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dropped_age ON dropped (stored_at);
`

const META = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`

const SIGNED_SINCE = 'signed_deposits_since'

export const OFFLINE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'items, copies, tombstones, meta; deposit signatures',
    up: (db) => {
      db.exec(SCHEMA)
      db.exec(META)
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(items)').all()
      // Files from before signed deposits have no deposit column; their items keep NULL: stored unsigned.
      if (!columns.some((c) => c.name === 'deposit')) db.exec('ALTER TABLE items ADD COLUMN deposit BLOB')
    },
  },
  {
    version: 2,
    name: 'repair pages by (recipient, id): items_order dropped',
    // Every item written cost an entry in items_order besides UNIQUE (recipient, id), in a page of
    // its own recipient's: about 6 of a replica's 45 µs of SQLite an item (issue 12 §2). Repair now
    // pages a recipient's items by id on the UNIQUE index, which put already keeps.
    up: 'DROP INDEX IF EXISTS items_order',
  },
]

/** Brings the file to the last version under its write lock; a file from a newer Parley throws StoreVersionError. */
export function migrate(db: Database.Database): void {
  runMigrations(db, 'offline.sqlite', OFFLINE_MIGRATIONS)
}

/** The persisted moment this store first ran with signed deposits; `now` becomes it on the first call. */
export function signedDepositsSince(db: Database.Database, now: number): number {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(SIGNED_SINCE, now)
  return db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?').get(SIGNED_SINCE)!
    .value
}
