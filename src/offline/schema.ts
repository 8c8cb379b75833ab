/**
 * The offline store's tables, and their migrations. Version 1 held items,
 * copies and tombstones. Version 2 (issue 10, H3) keeps each item's deposit
 * signature beside it, so repair pushes it on unchanged, and remembers when
 * this store first ran with signed deposits: unsigned items stored before
 * that moment are still repaired here until they expire (admit.ts).
 */
import type Database from 'better-sqlite3'

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

/** Creates what is missing and brings a version-1 file up to date; safe to run on every open. */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA)
    db.exec(META)
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(items)').all()
    // Version 1 files have no deposit column; their items keep NULL: stored before deposits were signed.
    if (!columns.some((c) => c.name === 'deposit')) db.exec('ALTER TABLE items ADD COLUMN deposit BLOB')
  })()
}

/** The persisted moment this store first ran with signed deposits; `now` becomes it on the first call. */
export function signedDepositsSince(db: Database.Database, now: number): number {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(SIGNED_SINCE, now)
  return db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?').get(SIGNED_SINCE)!
    .value
}
