/**
 * The Calls list's read of the chat store (`GET /v1/calls`): the newest call
 * events over every conversation. Read-only, from the store's own messages
 * table (call events are stored as messages of kind 'call', src/chat/apply.ts),
 * so there is nothing to keep in step.
 */
import type Database from 'better-sqlite3'
import { messageOf, type MessageRow, type RawMessage } from '../chat/schema.js'

/** A Calls list shows this many when the page does not say. */
export const CALLS_SHOWN = 50
/** The most one request may ask for. */
export const MAX_CALLS = 200

const statements = new WeakMap<Database.Database, Database.Statement>()

/** The newest call events first (by when they were sent), held ones (a stranger's) left out. */
export function recentCalls(db: Database.Database, limit: number): MessageRow[] {
  let st = statements.get(db)
  if (st === undefined) {
    st = db.prepare(
      "SELECT * FROM messages WHERE kind = 'call' AND held = 0 ORDER BY sent_at DESC, lamport DESC LIMIT ?",
    )
    statements.set(db, st)
  }
  return (st.all(Math.min(Math.max(1, limit), MAX_CALLS)) as RawMessage[]).map(messageOf)
}
