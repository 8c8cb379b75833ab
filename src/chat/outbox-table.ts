/**
 * The outbox in the chat store: for each event and each user it must reach,
 * when to try next and how often it was tried, and which of that user's
 * devices acknowledged it. The delivery loop (delivery.ts) reads what is due
 * and records acknowledgements and retries; an event leaves the outbox once
 * every device that must have it does (outbox.ts decides).
 */
import type Database from 'better-sqlite3'

export class OutboxTable {
  constructor(
    /** A prepared statement of the store, cached there. */
    private readonly sql: (text: string) => Database.Statement,
    /** Signs the events made but not signed yet: due() hands out signed bytes only. */
    private readonly signPending: () => void,
  ) {}

  enqueue(id: Uint8Array, username: string, at: number): void {
    this.sql('INSERT OR IGNORE INTO outbox (id, username, next_at) VALUES (?, ?, ?)').run(
      Buffer.from(id),
      username,
      at,
    )
  }

  /** Users with something due, soonest first. */
  dueUsers(now: number): string[] {
    const rows = this.sql(
      'SELECT username, min(next_at) AS at FROM outbox WHERE next_at <= ? GROUP BY username ORDER BY at',
    ).all(now) as { username: string }[]
    return rows.map((r) => r.username)
  }

  nextDue(): number | undefined {
    const r = this.sql('SELECT min(next_at) AS at FROM outbox').get() as { at: number | null }
    return r.at ?? undefined
  }

  due(
    username: string,
    now: number,
    limit: number,
  ): { id: Uint8Array; attempts: number; bytes: Uint8Array }[] {
    this.signPending()
    const rows = this.sql(
      `SELECT o.id, o.attempts, e.bytes FROM outbox o JOIN events e ON e.id = o.id
         WHERE o.username = ? AND o.next_at <= ? ORDER BY e.seq LIMIT ?`,
    ).all(username, now, limit) as { id: Buffer; attempts: number; bytes: Buffer }[]
    return rows.map((r) => ({
      id: new Uint8Array(r.id),
      attempts: r.attempts,
      bytes: new Uint8Array(r.bytes),
    }))
  }

  /** For each of the events, the devices of `username` that acknowledged it (hex id → device ids): one statement. */
  acksOf(ids: readonly Uint8Array[], username: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>()
    if (ids.length === 0) return out
    const rows = this.sql(
      `SELECT lower(hex(id)) AS id, device_id FROM outbox_acks
         WHERE username = ? AND id IN (SELECT unhex(value) FROM json_each(?))`,
    ).all(username, hexList(ids)) as { id: string; device_id: string }[]
    for (const r of rows) {
      let set = out.get(r.id)
      if (set === undefined) out.set(r.id, (set = new Set()))
      set.add(r.device_id)
    }
    return out
  }

  recordAck(id: Uint8Array, username: string, deviceId: string): void {
    this.sql('INSERT OR IGNORE INTO outbox_acks (id, username, device_id) VALUES (?, ?, ?)').run(
      Buffer.from(id),
      username,
      deviceId,
    )
  }

  /** These events reached every device of `username` that must have them: two statements for all. */
  done(ids: readonly Uint8Array[], username: string): void {
    if (ids.length === 0) return
    const list = hexList(ids)
    this.sql('DELETE FROM outbox WHERE username = ? AND id IN (SELECT unhex(value) FROM json_each(?))').run(
      username,
      list,
    )
    this.sql(
      'DELETE FROM outbox_acks WHERE username = ? AND id IN (SELECT unhex(value) FROM json_each(?))',
    ).run(username, list)
  }

  retryLater(id: Uint8Array, username: string, at: number): void {
    this.sql('UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE id = ? AND username = ?').run(
      at,
      Buffer.from(id),
      username,
    )
  }

  /** Connectivity came back: whatever waits for a retry is due now. */
  retryAllNow(now: number): void {
    this.sql('UPDATE outbox SET next_at = ? WHERE next_at > ?').run(now, now)
  }

  pending(): number {
    return (this.sql('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
  }
}

/** Ids as a JSON array of hex strings, for `json_each`: one statement for a whole batch. */
export function hexList(ids: readonly Uint8Array[]): string {
  return JSON.stringify(ids.map((id) => Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')))
}
