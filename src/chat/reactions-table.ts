/**
 * Reactions in the chat store (issue 17): each user has at most one on a
 * message, the newest by Lamport time (then device id, so that every device
 * keeps the same one); an empty emoji is a reaction taken back. Emoji are
 * checked before they get here (reactions.ts).
 */
import type Database from 'better-sqlite3'
import type { Reaction } from './rows.js'

export class ReactionsTable {
  constructor(
    /** A prepared statement of the store, cached there. */
    private readonly sql: (text: string) => Database.Statement,
  ) {}

  /** Sets a user's reaction on a message unless a newer one is there; true when it changed. */
  set(messageId: Uint8Array, username: string, deviceId: string, emoji: string, lamport: number): boolean {
    return (
      this.sql(
        `INSERT INTO reactions (message_id, username, emoji, lamport, device_id) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (message_id, username) DO UPDATE
             SET emoji = excluded.emoji, lamport = excluded.lamport, device_id = excluded.device_id
             WHERE excluded.lamport > reactions.lamport
               OR (excluded.lamport = reactions.lamport AND excluded.device_id > reactions.device_id)`,
      ).run(Buffer.from(messageId), username, emoji, lamport, deviceId).changes > 0
    )
  }

  /** The reactions on these messages (hex ids): each message's emoji, most chosen first, then first chosen. */
  of(ids: readonly string[]): Map<string, Reaction[]> {
    const out = new Map<string, Reaction[]>()
    if (ids.length === 0) return out
    const rows = this.sql(
      `SELECT lower(hex(message_id)) AS id, username, emoji FROM reactions
         WHERE message_id IN (SELECT unhex(value) FROM json_each(?)) AND emoji <> ''
         ORDER BY lamport, device_id`,
    ).all(JSON.stringify(ids)) as { id: string; username: string; emoji: string }[]
    for (const r of rows) {
      let list = out.get(r.id)
      if (list === undefined) out.set(r.id, (list = []))
      const same = list.find((x) => x.emoji === r.emoji)
      if (same === undefined) list.push({ emoji: r.emoji, users: [r.username] })
      else same.users.push(r.username)
    }
    for (const list of out.values()) list.sort((a, b) => b.users.length - a.users.length)
    return out
  }
}
