/**
 * A device's chat history in its own SQLite file (`chat.sqlite` in the
 * profile): contacts, the devices of the users it talks to, every signed
 * event it holds (what history backfill serves), the conversation view with
 * edits, deletes and receipts applied, a full-text index, and the outbox of
 * what still has to reach someone (outbox-table.ts). Synchronous (better-sqlite3): `transaction`
 * commits before it returns, so an acknowledgement sent after it is after
 * commit; the device's own actions commit in groups (`group`, commit.ts).
 */
import { basename } from 'node:path'
import Database from 'better-sqlite3'
import { LRUCache } from 'lru-cache'
import { LamportClock } from './clock.js'
import { ContactsTable, type ContactRow } from './contacts-table.js'
import { migrate } from '../sqlite/migrate.js'
import { GroupCommit } from './commit.js'
import { Checkpointer } from './checkpoint.js'
import { CHAT_MIGRATIONS } from './migrations.js'
import type { ContactState } from './rows.js'
import { messageOf, type MessageKind, type MessageRow, type MessageState, type RawMessage } from './schema.js'
import { hexList, OutboxTable } from './outbox-table.js'
import { ProfilesTable } from './profiles-table.js'
import { ReactionsTable } from './reactions-table.js'
import { DEFAULT_STRANGER_LIMITS, type StrangerLimits } from './strangers.js'

export type { MessageKind, MessageRow, MessageState } from './schema.js'

export type { ContactState } from './rows.js'

export type { ContactRow } from './contacts-table.js'

export interface KnownDevice {
  username: string
  deviceId: string
  publicKey: Uint8Array
}

export interface StoredEvent {
  id: Uint8Array
  bytes: Uint8Array
}

/** How often a device's `seen_at` is written while it keeps sending. */
const SEEN_EVERY_MS = 60_000

const STATE_RANK: Record<MessageState, number> = { sending: 0, sent: 1, delivered: 2, read: 3, received: 0 }

export class ChatStore {
  readonly db: Database.Database
  /** The Lamport clock, kept in `meta` (the rule against poisoning: clock.ts). */
  readonly clock = new LamportClock(this)
  private readonly statements = new Map<string, Database.Statement>()
  /** When each device was last written to `devices` (cleared on rollback): one write a minute, not one an event. */
  private readonly seen = new LRUCache<string, number>({ max: 4096 })
  /**
   * Rows as this store last wrote or read them (null: no row), so that the
   * several reads of one send or one received event are one statement, not
   * one each (issue 12 §2). This process is the file's only writer; every
   * write below goes through them, and a rollback clears them.
   */
  private readonly metaRows = new Map<string, string | null>()
  private readonly contactsTable = new ContactsTable((text) => this.sql(text))
  private readonly commits: GroupCommit
  /** WAL checkpoints in a worker thread, not inside our commits (checkpoint.ts). */
  readonly checkpoints: Checkpointer

  /** Caps on strangers' held messages and pending requests (strangers.ts). */
  readonly strangerLimits: StrangerLimits
  /** What still has to reach someone (outbox-table.ts). */
  readonly outbox: OutboxTable
  readonly reactions: ReactionsTable
  readonly profiles: ProfilesTable

  constructor(
    path: string,
    opts: {
      strangers?: Partial<StrangerLimits>
      onCommitError?: (err: unknown) => void
      onCheckpointError?: (err: unknown) => void
    } = {},
  ) {
    this.strangerLimits = { ...DEFAULT_STRANGER_LIMITS, ...opts.strangers }
    this.db = new Database(path)
    this.commits = new GroupCommit(this.db, opts.onCommitError, () => this.forgetRows())
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('journal_mode = WAL')
    // WAL + NORMAL survives a killed process (only an OS crash can lose the last commits).
    this.db.pragma('synchronous = NORMAL')
    try {
      migrate(this.db, basename(path), CHAT_MIGRATIONS)
    } catch (err) {
      this.db.close()
      throw err
    }
    this.checkpoints = new Checkpointer(this.db, path, opts.onCheckpointError)
    this.commits.afterCommit = () => this.checkpoints.committed()
    this.outbox = new OutboxTable(
      (text) => this.sql(text),
      () => this.signPending(),
    )
    this.reactions = new ReactionsTable((text) => this.sql(text))
    this.profiles = new ProfilesTable((text) => this.sql(text))
  }

  close(): void {
    this.commits.flush()
    this.checkpoints.close()
    this.db.close()
  }

  /** A statement, prepared once: preparing them per call was a third of chat.send's CPU (bench:chat). */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text)
    if (st === undefined) this.statements.set(text, (st = this.db.prepare(text)))
    return st
  }

  /** One transaction, committed (after any open group) before it returns. */
  transaction<T>(fn: () => T): T {
    return this.commits.now(fn)
  }

  /** One atomic change in the open group, committed with it within GROUP_MS (commit.ts). */
  group<T>(fn: () => T): T {
    return this.commits.later(fn)
  }

  /** Commits the open group now: before anything it holds leaves the device. */
  flush(): void {
    this.commits.flush()
  }

  /** Signs the events made but not signed yet (batch.ts): before the group commits and any event is read. */
  setPendingSigner(sign: () => void): void {
    this.signPending = sign
    this.commits.beforeCommit = sign
  }

  private signPending: () => void = () => undefined

  /** Something was rolled back: what we remember of rows may no longer be what the file holds. */
  private forgetRows(): void {
    this.seen.clear()
    this.metaRows.clear()
    this.contactsTable.forget()
  }

  // ---- meta ---------------------------------------------------------------

  getMeta(key: string): string | undefined {
    let value = this.metaRows.get(key)
    if (value === undefined) {
      const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
      value = row?.value ?? null
      this.metaRows.set(key, value)
    }
    return value ?? undefined
  }

  setMeta(key: string, value: string): void {
    this.sql(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value)
    this.metaRows.set(key, value)
  }

  /** The highest Lamport time of a stored message at or below `atMost` (in `conversation` when given); 0 if none. */
  highestLamport(atMost: number, conversation?: string): number {
    const r = this.sql(
      'SELECT max(lamport) AS l FROM messages WHERE lamport <= ? AND (? IS NULL OR conversation = ?)',
    ).get(atMost, conversation ?? null, conversation ?? null) as { l: number | null }
    return r.l ?? 0
  }

  // ---- contacts (contacts-table.ts) ----------------------------------------

  contact(username: string): ContactRow | undefined {
    return this.contactsTable.contact(username)
  }

  contacts(states?: ContactState[]): ContactRow[] {
    return this.contactsTable.contacts(states)
  }

  setContact(username: string, state: ContactState, at: number, greeting?: string): void {
    this.contactsTable.setContact(username, state, at, greeting)
  }

  /** Held messages in the conversation with `username` (a stranger's, not yet accepted). */
  heldFrom(username: string): number {
    return this.contactsTable.heldFrom(username)
  }

  /** Contact requests waiting for the user's answer. */
  pendingRequests(): number {
    return this.contactsTable.pendingRequests()
  }

  setPresence(username: string, presence: string, at: number): boolean {
    return this.contactsTable.setPresence(username, presence, at)
  }

  // ---- devices ------------------------------------------------------------

  /** Notes that a device was seen at `at` (written at most once a minute per device: `seen_at` is for forgetting after 30 days). */
  rememberDevice(d: KnownDevice, at: number): void {
    const key = `${d.username}\n${d.deviceId}`
    const last = this.seen.get(key)
    if (last !== undefined && at >= last && at - last < SEEN_EVERY_MS) return
    this.seen.set(key, at)
    this.sql(
      `INSERT INTO devices (username, device_id, public_key, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (username, device_id) DO UPDATE SET seen_at = max(devices.seen_at, excluded.seen_at)`,
    ).run(d.username, d.deviceId, Buffer.from(d.publicKey), at)
  }

  /** The user's devices we know of, most recently seen first; with `seenSince`, only those seen since. */
  devicesOf(username: string, seenSince = 0): KnownDevice[] {
    const rows = this.sql(
      'SELECT device_id, public_key FROM devices WHERE username = ? AND seen_at >= ? ORDER BY seen_at DESC',
    ).all(username, seenSince) as { device_id: string; public_key: Buffer }[]
    return rows.map((r) => ({ username, deviceId: r.device_id, publicKey: new Uint8Array(r.public_key) }))
  }

  // ---- events and messages ------------------------------------------------

  hasEvent(id: Uint8Array): boolean {
    return this.sql('SELECT 1 FROM events WHERE id = ?').get(Buffer.from(id)) !== undefined
  }

  /** Keeps a signed event; false when it was already held (a duplicate). */
  addEvent(id: Uint8Array, conversation: string, sentAt: number, bytes: Uint8Array): boolean {
    const r = this.sql(
      'INSERT OR IGNORE INTO events (id, conversation, sent_at, bytes) VALUES (?, ?, ?, ?)',
    ).run(Buffer.from(id), conversation, sentAt, Buffer.from(bytes))
    return r.changes > 0
  }

  /** Its signed bytes in place of its unsigned body (batch.ts). */
  replaceEvent(id: Uint8Array, bytes: Uint8Array): void {
    this.sql('UPDATE events SET bytes = ? WHERE id = ?').run(Buffer.from(bytes), Buffer.from(id))
  }

  event(id: Uint8Array): Uint8Array | undefined {
    this.signPending()
    const r = this.sql('SELECT bytes FROM events WHERE id = ?').get(Buffer.from(id)) as
      { bytes: Buffer } | undefined
    return r && new Uint8Array(r.bytes)
  }

  /** Events sent after `since`, in the order this device received them, after the event `after`. */
  eventsSince(since: number, after: Uint8Array | undefined, limit: number): StoredEvent[] {
    this.signPending()
    const from =
      after === undefined
        ? 0
        : ((
            this.sql('SELECT seq FROM events WHERE id = ?').get(Buffer.from(after)) as
              { seq: number } | undefined
          )?.seq ?? 0)
    const rows = this.sql(
      'SELECT id, bytes FROM events WHERE seq > ? AND sent_at >= ? ORDER BY seq LIMIT ?',
    ).all(from, since, limit) as { id: Buffer; bytes: Buffer }[]
    return rows.map((r) => ({ id: new Uint8Array(r.id), bytes: new Uint8Array(r.bytes) }))
  }

  /** Adds a message; the row as it is now stored, or undefined when one with its id was there already. */
  addMessage(
    m: Omit<MessageRow, 'id' | 'edited' | 'deleted' | 'kind' | 'replyTo' | 'reactions'> & {
      id: Uint8Array
      kind?: MessageKind
      replyTo?: Uint8Array | undefined
    },
  ): MessageRow | undefined {
    const r = this.sql(
      `INSERT OR IGNORE INTO messages (id, conversation, sender, sender_device, lamport, sent_at, text, state, held, kind, reply_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      Buffer.from(m.id),
      m.conversation,
      m.sender,
      m.senderDevice,
      m.lamport,
      m.sentAt,
      m.text,
      m.state,
      m.held ? 1 : 0,
      m.kind ?? 'text',
      m.replyTo === undefined ? null : Buffer.from(m.replyTo),
    )
    if (r.changes === 0) return undefined
    // What a read would give back, without the read (a statement less per message).
    return {
      id: Buffer.from(m.id).toString('hex'),
      conversation: m.conversation,
      sender: m.sender,
      senderDevice: m.senderDevice,
      lamport: m.lamport,
      sentAt: m.sentAt,
      text: m.text,
      edited: false,
      deleted: false,
      state: m.state,
      held: m.held,
      kind: m.kind ?? 'text',
      ...(m.replyTo === undefined ? {} : { replyTo: Buffer.from(m.replyTo).toString('hex') }),
    }
  }

  /** A message with its reactions ([] when none), as the local API and its notices hand it out. */
  messageWithReactions(id: Uint8Array): MessageRow | undefined {
    const m = this.message(id)
    return m && { ...m, reactions: this.reactions.of([m.id]).get(m.id) ?? [] }
  }

  message(id: Uint8Array): MessageRow | undefined {
    const r = this.sql('SELECT * FROM messages WHERE id = ?').get(Buffer.from(id)) as RawMessage | undefined
    return r && messageOf(r)
  }

  editMessage(id: Uint8Array, sender: string, text: string): boolean {
    return (
      this.sql('UPDATE messages SET text = ?, edited = 1 WHERE id = ? AND sender = ? AND deleted = 0').run(
        text,
        Buffer.from(id),
        sender,
      ).changes > 0
    )
  }

  deleteMessage(id: Uint8Array, sender: string): boolean {
    return (
      this.sql("UPDATE messages SET text = '', deleted = 1 WHERE id = ? AND sender = ?").run(
        Buffer.from(id),
        sender,
      ).changes > 0
    )
  }

  /** Moves a message forward (sending → sent → delivered → read), never back. */
  advance(id: Uint8Array, state: MessageState): boolean {
    const m = this.message(id)
    if (m === undefined || m.state === 'received' || STATE_RANK[state] <= STATE_RANK[m.state]) return false
    this.sql('UPDATE messages SET state = ? WHERE id = ?').run(state, Buffer.from(id))
    return true
  }

  /**
   * Moves messages forward to `state`, never back, in one statement; the
   * rows that moved, as they are now (the others were there already or beyond).
   */
  advanceAll(ids: readonly Uint8Array[], state: MessageState): MessageRow[] {
    if (ids.length === 0) return []
    const before = JSON.stringify(
      (Object.keys(STATE_RANK) as MessageState[]).filter(
        (s) => s !== 'received' && STATE_RANK[s] < STATE_RANK[state],
      ),
    )
    const rows = this.sql(
      `UPDATE messages SET state = ?
         WHERE id IN (SELECT unhex(value) FROM json_each(?)) AND state IN (SELECT value FROM json_each(?))
         RETURNING *`,
    ).all(state, hexList(ids), before) as RawMessage[]
    return rows.map(messageOf)
  }

  /** A conversation in the order every device shows it: Lamport time, then sender device, then id. */
  conversation(username: string, limit = 50, held = false): MessageRow[] {
    const rows = this.sql(
      `SELECT * FROM (SELECT * FROM messages WHERE conversation = ? AND held = ?
           ORDER BY lamport DESC, sender_device DESC, id DESC LIMIT ?)
         ORDER BY lamport, sender_device, id`,
    ).all(username, held ? 1 : 0, limit) as RawMessage[]
    const messages = rows.map(messageOf)
    const reactions = this.reactions.of(messages.map((m) => m.id))
    return messages.map((m) => ({ ...m, reactions: reactions.get(m.id) ?? [] }))
  }

  /** Incoming messages of a conversation not read yet. */
  unread(username: string, self: string): MessageRow[] {
    const rows = this.sql(
      "SELECT * FROM messages WHERE conversation = ? AND sender <> ? AND state = 'received' AND held = 0 ORDER BY lamport",
    ).all(username, self) as RawMessage[]
    return rows.map(messageOf)
  }

  markRead(ids: Uint8Array[]): void {
    const st = this.sql("UPDATE messages SET state = 'read' WHERE id = ? AND state = 'received'")
    for (const id of ids) st.run(Buffer.from(id))
  }

  search(text: string, limit = 50): MessageRow[] {
    // Each word is a quoted FTS5 term: the user's text is never FTS5 syntax.
    const query = text
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .map((w) => `"${w.replaceAll('"', '""')}"`)
      .join(' ')
    if (query === '') return []
    const rows = this.sql(
      `SELECT m.* FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
         WHERE messages_fts MATCH ? AND m.deleted = 0 ORDER BY m.sent_at DESC LIMIT ?`,
    ).all(query, limit) as RawMessage[]
    return rows.map(messageOf)
  }
}
