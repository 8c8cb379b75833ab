/**
 * The chat store's tables (chat.sqlite), as numbered migrations run at open
 * by src/sqlite/migrate.ts. Never edit a migration that has shipped: append
 * the next number.
 *
 * Files made before versioning (up to 79fb1a8, 2026-12-06) are at version 0
 * yet already hold version 1's tables, some without messages.kind: migration 1
 * therefore creates only what is missing (IF NOT EXISTS) and adds that column
 * where it lacks. Later migrations run on a known version and need no guards.
 */
import type Database from 'better-sqlite3'
import type { SqliteMigration } from '../sqlite/migrate.js'

const V1 = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
  username TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  greeting TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  presence TEXT NOT NULL DEFAULT 'offline',
  presence_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS devices (
  username TEXT NOT NULL,
  device_id TEXT NOT NULL,
  public_key BLOB NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (username, device_id)
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id BLOB NOT NULL UNIQUE,
  conversation TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  id BLOB PRIMARY KEY,
  conversation TEXT NOT NULL,
  sender TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  lamport INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  text TEXT NOT NULL,
  edited INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  held INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'text'
);
CREATE INDEX IF NOT EXISTS messages_order ON messages (conversation, lamport, sender_device, id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5 (text, content = 'messages', content_rowid = 'rowid');
CREATE TRIGGER IF NOT EXISTS messages_ai AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS messages_au AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TABLE IF NOT EXISTS outbox (
  id BLOB NOT NULL,
  username TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  PRIMARY KEY (id, username)
);
-- Which devices of the destination user hold an event: per user, so that our own
-- other device's ack never counts for the other user (they are two destinations).
CREATE TABLE IF NOT EXISTS outbox_acks (
  id BLOB NOT NULL,
  username TEXT NOT NULL,
  device_id TEXT NOT NULL,
  PRIMARY KEY (id, username, device_id)
);
`

/** Replies and reactions (issue 17). One reaction per user and message: the newest by Lamport time, then device. */
const V2 = `
ALTER TABLE messages ADD COLUMN reply_to BLOB;
CREATE TABLE IF NOT EXISTS reactions (
  message_id BLOB NOT NULL,
  username TEXT NOT NULL,
  emoji TEXT NOT NULL,
  lamport INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  PRIMARY KEY (message_id, username)
);
`

/** Profiles (issue 17): each user's newest, by Lamport time then device; our own under our username. */
const V3 = `
CREATE TABLE IF NOT EXISTS profiles (
  username TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  mood TEXT NOT NULL,
  avatar BLOB NOT NULL,
  lamport INTEGER NOT NULL,
  device_id TEXT NOT NULL
);
`

export const CHAT_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'contacts, devices, events, messages with full-text index, outbox',
    up: (db: Database.Database) => {
      db.exec(V1)
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(messages)').all()
      if (!columns.some((c) => c.name === 'kind'))
        db.exec("ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'")
    },
  },
  {
    version: 2,
    name: 'replies and reactions',
    up: (db: Database.Database) => db.exec(V2),
  },
  {
    version: 3,
    name: 'profiles',
    up: (db: Database.Database) => db.exec(V3),
  },
]
