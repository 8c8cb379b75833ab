/**
 * The contacts in the chat store, and the rows of them this process last
 * read or wrote: one send or one received event reads its contact several
 * times (the core, the stranger caps, applying it), a statement each before
 * issue 12 §2. This process is the file's only writer and every write to
 * `contacts` goes through here; the store calls `forget` on any rollback.
 */
import type Database from 'better-sqlite3'
import { LRUCache } from 'lru-cache'
import type { ContactState } from './rows.js'

export interface ContactRow {
  username: string
  state: ContactState
  greeting: string
  updatedAt: number
  presence: string
  presenceAt: number
}

export class ContactsTable {
  private readonly rows = new LRUCache<string, ContactRow | { none: true }>({ max: 4096 })

  constructor(
    /** A prepared statement of the store, cached there. */
    private readonly sql: (text: string) => Database.Statement,
  ) {}

  /** Something was rolled back: what we remember may no longer be what the file holds. */
  forget(): void {
    this.rows.clear()
  }

  contact(username: string): ContactRow | undefined {
    let row = this.rows.get(username)
    if (row === undefined) this.rows.set(username, (row = this.readContact(username) ?? { none: true }))
    // A copy: callers may change what they get.
    return 'none' in row ? undefined : { ...row }
  }

  private readContact(username: string): ContactRow | undefined {
    const r = this.sql('SELECT * FROM contacts WHERE username = ?').get(username) as
      | {
          username: string
          state: ContactState
          greeting: string
          updated_at: number
          presence: string
          presence_at: number
        }
      | undefined
    return (
      r && {
        username: r.username,
        state: r.state,
        greeting: r.greeting,
        updatedAt: r.updated_at,
        presence: r.presence,
        presenceAt: r.presence_at,
      }
    )
  }

  contacts(states?: ContactState[]): ContactRow[] {
    const rows = this.sql('SELECT username FROM contacts ORDER BY username').all() as {
      username: string
    }[]
    return rows
      .map((r) => this.contact(r.username)!)
      .filter((c) => states === undefined || states.includes(c.state))
  }

  setContact(username: string, state: ContactState, at: number, greeting?: string): void {
    this.sql(
      `INSERT INTO contacts (username, state, greeting, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
           greeting = CASE WHEN ? IS NULL THEN contacts.greeting ELSE excluded.greeting END`,
    ).run(username, state, greeting ?? '', at, greeting ?? null)
    this.rows.delete(username)
    if (state === 'accepted') this.sql('UPDATE messages SET held = 0 WHERE conversation = ?').run(username)
  }

  /** Held messages in the conversation with `username` (a stranger's, not yet accepted). */
  heldFrom(username: string): number {
    return (
      this.sql('SELECT count(*) AS n FROM messages WHERE conversation = ? AND held = 1').get(username) as {
        n: number
      }
    ).n
  }

  /** Contact requests waiting for the user's answer. */
  pendingRequests(): number {
    return (this.sql("SELECT count(*) AS n FROM contacts WHERE state = 'pending'").get() as { n: number }).n
  }

  setPresence(username: string, presence: string, at: number): boolean {
    const r = this.sql(
      'UPDATE contacts SET presence = ?, presence_at = ? WHERE username = ? AND presence_at <= ?',
    ).run(presence, at, username, at)
    if (r.changes > 0) this.rows.delete(username)
    return r.changes > 0
  }
}
