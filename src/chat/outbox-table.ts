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

  /** The devices of `username` that acknowledged the event. */
  ackedBy(id: Uint8Array, username: string): Set<string> {
    const rows = this.sql('SELECT device_id FROM outbox_acks WHERE id = ? AND username = ?').all(
      Buffer.from(id),
      username,
    ) as { device_id: string }[]
    return new Set(rows.map((r) => r.device_id))
  }

  recordAck(id: Uint8Array, username: string, deviceId: string): void {
    this.sql('INSERT OR IGNORE INTO outbox_acks (id, username, device_id) VALUES (?, ?, ?)').run(
      Buffer.from(id),
      username,
      deviceId,
    )
  }

  done(id: Uint8Array, username: string): void {
    this.sql('DELETE FROM outbox WHERE id = ? AND username = ?').run(Buffer.from(id), username)
    this.sql('DELETE FROM outbox_acks WHERE id = ? AND username = ?').run(Buffer.from(id), username)
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
