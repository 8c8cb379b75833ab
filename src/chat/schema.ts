/** The chat store's SQLite schema and row mapping (see store.ts). */
import type { MessageKind, MessageRow, MessageState } from './store.js'

export const SCHEMA = `
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

export interface RawMessage {
  id: Buffer
  conversation: string
  sender: string
  sender_device: string
  lamport: number
  sent_at: number
  text: string
  edited: number
  deleted: number
  state: MessageState
  held: number
  kind: MessageKind
}

export function messageOf(r: RawMessage): MessageRow {
  return {
    id: r.id.toString('hex'),
    conversation: r.conversation,
    sender: r.sender,
    senderDevice: r.sender_device,
    lamport: r.lamport,
    sentAt: r.sent_at,
    text: r.text,
    edited: r.edited === 1,
    deleted: r.deleted === 1,
    state: r.state,
    held: r.held === 1,
    kind: r.kind,
  }
}
