/**
 * The offline store on one supernode: sealed items on a SQLite file (WAL),
 * `<profile dir>/offline.sqlite`. Items are opaque: the store keeps the bytes
 * it was given and never sees plaintext. An item is keyed by (recipient, id),
 * since the same event goes to its recipient and to the sender's own devices
 * under one id; it has one copy per recipient device, and leaves when the
 * last copy is dropped or retention ends.
 *
 * The deciding parts (quotas, paging) are the sans-IO cores in quota.ts and
 * paging.ts; this file only keeps the tables and the counters in step. Every
 * call takes `now`: the store never reads the clock.
 */
import Database from 'better-sqlite3'
import { InvalidOptionError } from '../util/errors.js'
import { pageLength, type PageLimits } from './paging.js'
import { migrate, signedDepositsSince } from './schema.js'
import { Usage, type Charge, type QuotaBreach, type Quotas } from './quota.js'
import { hexId, itemBytes, type OfflineCopy, type OfflineItem } from './types.js'

export const DEFAULT_RETENTION_MS = 30 * 24 * 3600_000
export const DEFAULT_PAGE: PageLimits = { items: 64, bytes: 2 * 1024 * 1024 }

export interface OfflineStoreOptions {
  quotas?: Partial<Quotas>
  /** How long an item is kept after it was stored, default 30 days. */
  retentionMs?: number
}

export type PutResult =
  | { ok: true; stored: number; duplicates: number; acknowledged: number; expired: number }
  | { ok: false; code: 'quota_exceeded'; breach: Exclude<QuotaBreach, 'store_bytes'> }
  /** The whole store is at its byte cap (quotas.storeBytes): nothing held is evicted, so try later. */
  | { ok: false; code: 'store_full'; breach: 'store_bytes' }

export interface TakeOptions {
  /** Items and bytes per page (default 64 items, 2 MiB). */
  page?: Partial<PageLimits>
  /** Ids the caller already has: skipped, so a caller can page without acknowledging first. */
  exclude?: readonly Uint8Array[]
}

export interface TakeResult {
  /** Oldest first, each with this device's copy only. */
  items: OfflineItem[]
  more: boolean
}

/** Where a repair walk of one recipient's items is: the last id pushed (items go in id order). */
export interface RepairCursor {
  id: Uint8Array
}

interface ItemRow {
  seq: number
  recipient: string
  id: Buffer
  sender: string
  stored_at: number
  size: number
  nonce: Buffer
  ciphertext: Buffer
  deposit: Buffer | null
}

interface CopyRow {
  item: number
  device_id: string
  ephemeral: Buffer
  wrapped: Buffer
}

const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b)

export class OfflineStore {
  readonly retentionMs: number
  private readonly usage: Usage
  private readonly q

  private constructor(
    private readonly db: Database.Database,
    opts: OfflineStoreOptions,
  ) {
    this.usage = new Usage(opts.quotas)
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS
    if (!Number.isSafeInteger(this.retentionMs) || this.retentionMs <= 0)
      throw new InvalidOptionError(`retentionMs must be a positive integer, got ${this.retentionMs}`)
    migrate(db)
    this.q = {
      find: db.prepare<[string, Buffer], { seq: number }>(
        'SELECT seq FROM items WHERE recipient = ? AND id = ?',
      ),
      item: db.prepare<[number], ItemRow>('SELECT * FROM items WHERE seq = ?'),
      copies: db.prepare<[number], CopyRow>('SELECT * FROM copies WHERE item = ? ORDER BY device_id'),
      copy: db.prepare<[number, string], CopyRow>('SELECT * FROM copies WHERE item = ? AND device_id = ?'),
      dropped: db.prepare<[string, Buffer, string], { one: number }>(
        'SELECT 1 AS one FROM dropped WHERE recipient = ? AND id = ? AND device_id = ?',
      ),
      insertItem: db.prepare(
        'INSERT INTO items (recipient, id, sender, stored_at, size, nonce, ciphertext, deposit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertCopy: db.prepare(
        'INSERT INTO copies (item, device_id, recipient, stored_at, id, size, ephemeral, wrapped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      candidates: db.prepare<[string, string, number, number], { seq: number; id: Buffer; size: number }>(
        `SELECT item AS seq, id, size FROM copies WHERE recipient = ? AND device_id = ? AND stored_at > ?
         ORDER BY stored_at, id LIMIT ?`,
      ),
      deleteCopy: db.prepare('DELETE FROM copies WHERE item = ? AND device_id = ?'),
      remaining: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM copies WHERE item = ?'),
      deleteItem: db.prepare('DELETE FROM items WHERE seq = ?'),
      tombstone: db.prepare(
        'INSERT OR IGNORE INTO dropped (recipient, id, device_id, stored_at) VALUES (?, ?, ?, ?)',
      ),
      expireItems: db.prepare('DELETE FROM items WHERE stored_at <= ?'),
      expireDropped: db.prepare('DELETE FROM dropped WHERE stored_at <= ?'),
      recipients: db.prepare<[], { recipient: string }>(
        'SELECT DISTINCT recipient FROM items ORDER BY recipient',
      ),
      page: db.prepare<[string, Buffer, number], ItemRow>(
        'SELECT * FROM items WHERE recipient = ? AND id > ? ORDER BY id LIMIT ?',
      ),
      all: db.prepare<[], ItemRow>('SELECT * FROM items ORDER BY recipient, stored_at, id'),
      usage: db.prepare<[], { recipient: string; sender: string; size: number }>(
        'SELECT recipient, sender, size FROM items',
      ),
    }
    this.reloadUsage()
  }

  /** Opens (creating if needed) the store at `path`. */
  static open(path: string, opts: OfflineStoreOptions = {}): OfflineStore {
    const db = new Database(path)
    db.pragma('busy_timeout = 5000')
    db.pragma('journal_mode = WAL')
    // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits, which the
    // other two replicas still hold.
    db.pragma('synchronous = NORMAL')
    // Checkpoint every 64 MiB of WAL, not SQLite's 4 MiB: the index pages that every deposit
    // touches are then copied into the file (and synced) once per many commits. In bench/put
    // loops of 64-item batches this took a replica's store from about 80 to about 55 µs an item.
    db.pragma('wal_autocheckpoint = 16384')
    db.pragma('journal_size_limit = 67108864')
    db.pragma('foreign_keys = ON')
    // Savepoints (putEach: one per store request sharing a commit) journal the pages they change:
    // in a temporary file by default, created and deleted for every transaction, its writes a
    // quarter of a replica's write syscalls (strace of bench puts, issue 12 §2). Kept in memory.
    db.pragma('temp_store = MEMORY')
    try {
      return new OfflineStore(db, opts)
    } catch (err) {
      db.close()
      throw err
    }
  }

  get quotas(): Quotas {
    return this.usage.quotas
  }

  /** Items held. */
  get count(): number {
    return this.usage.items
  }

  /** Bytes held (itemBytes of each item), what quotas.storeBytes caps. */
  get bytes(): number {
    return this.usage.bytes
  }

  /**
   * Stores a batch, whole or not at all. Idempotent: an item held already
   * (same recipient and id) is a duplicate and left as it is; copies whose
   * device already dropped the item are not stored again. `storedAt` in the
   * future is taken as now; an item past retention is not stored.
   */
  put(items: readonly OfflineItem[], now: number): PutResult {
    return this.db.transaction((): PutResult => {
      const fresh = new Map<string, OfflineItem>()
      let duplicates = 0
      let acknowledged = 0
      let expired = 0
      for (const item of items) {
        const storedAt = Math.min(item.storedAt, now)
        const key = `${item.recipient}\u0000${hexId(item.id)}`
        if (storedAt <= now - this.retentionMs) expired++
        else if (fresh.has(key) || this.q.find.get(item.recipient, buf(item.id)) !== undefined) duplicates++
        else {
          const copies = item.copies.filter(
            (c) => this.q.dropped.get(item.recipient, buf(item.id), c.deviceId) === undefined,
          )
          if (copies.length === 0) acknowledged++
          else fresh.set(key, { ...item, storedAt, copies: uniqueCopies(copies) })
        }
      }
      const breach = this.usage.breach([...fresh.values()].map(chargeOf))
      if (breach === 'store_bytes') return { ok: false, code: 'store_full', breach }
      if (breach !== undefined) return { ok: false, code: 'quota_exceeded', breach }
      for (const item of fresh.values()) this.insert(item)
      return { ok: true, stored: fresh.size, duplicates, acknowledged, expired }
    })()
  }

  /**
   * Several puts as one transaction, so one commit (one WAL write of the
   * pages they share) for all of them: each put is still whole or not at all
   * (a savepoint of its own), decided in order, so each sees the quotas the
   * ones before it used. A put that throws is rolled back alone and its
   * error given in its place; if the commit fails, this throws and nothing
   * is stored. A single put is its own transaction, and throws its error.
   */
  putEach(batches: ReadonlyArray<readonly OfflineItem[]>, now: number): Array<PutResult | Error> {
    try {
      // One put alone is its own transaction: no savepoint to journal (most turns with one deposit in flight).
      if (batches.length === 1) return [this.put(batches[0]!, now)]
      return this.db.transaction(() =>
        batches.map((items): PutResult | Error => {
          try {
            return this.put(items, now)
          } catch (err) {
            this.reloadUsage()
            return err instanceof Error ? err : new Error(String(err))
          }
        }),
      )()
    } catch (err) {
      this.reloadUsage()
      throw err
    }
  }

  private insert(item: OfflineItem): void {
    const size = itemBytes(item)
    const id = buf(item.id)
    const { lastInsertRowid } = this.q.insertItem.run(
      item.recipient,
      id,
      item.sender,
      item.storedAt,
      size,
      buf(item.nonce),
      buf(item.ciphertext),
      item.deposit === undefined || item.deposit.byteLength === 0 ? null : buf(item.deposit),
    )
    for (const c of item.copies) {
      this.q.insertCopy.run(
        lastInsertRowid,
        c.deviceId,
        item.recipient,
        item.storedAt,
        id,
        size,
        buf(c.ephemeral),
        buf(c.wrapped),
      )
    }
    this.usage.add(chargeOf(item))
  }

  /** The oldest items that still have a copy for this device, one page of them. */
  take(recipient: string, deviceId: string, now: number, opts: TakeOptions = {}): TakeResult {
    const page = { ...DEFAULT_PAGE, ...opts.page }
    const exclude = new Set((opts.exclude ?? []).map(hexId))
    const limit = page.items + exclude.size + 1
    const rows = this.q.candidates.all(recipient, deviceId, now - this.retentionMs, limit)
    const wanted = rows.filter((r) => !exclude.has(hexId(r.id)))
    const n = pageLength(
      wanted.map((r) => r.size),
      page,
    )
    const items: OfflineItem[] = []
    for (const { seq } of wanted.slice(0, n)) {
      const row = this.q.item.get(seq)
      const copy = this.q.copy.get(seq, deviceId)
      if (row !== undefined && copy !== undefined) items.push(itemOf(row, [copy]))
    }
    return { items, more: wanted.length > n || rows.length === limit }
  }

  /** Removes this device's copies of these items; an item with no copy left is deleted. Returns copies removed. */
  drop(recipient: string, deviceId: string, ids: readonly Uint8Array[]): number {
    return this.db.transaction((): number => {
      let removed = 0
      for (const id of ids) {
        const found = this.q.find.get(recipient, buf(id))
        if (found === undefined) continue
        const row = this.q.item.get(found.seq)
        if (row === undefined) continue
        // Remembered until the item would have expired, so a repair push of it does not bring it back.
        this.q.tombstone.run(recipient, buf(id), deviceId, row.stored_at)
        if (this.q.deleteCopy.run(found.seq, deviceId).changes === 0) continue
        removed++
        if ((this.q.remaining.get(found.seq)?.n ?? 0) === 0) {
          this.q.deleteItem.run(found.seq)
          this.usage.remove({ recipient: row.recipient, sender: row.sender, bytes: row.size })
        }
      }
      return removed
    })()
  }

  /** Deletes what is past retention; returns how many items left. */
  expire(now: number): number {
    const cutoff = now - this.retentionMs
    const removed = this.db.transaction(() => {
      this.q.expireDropped.run(cutoff)
      return this.q.expireItems.run(cutoff).changes
    })()
    if (removed > 0) this.reloadUsage()
    return removed
  }

  /** Whether an item (recipient, id) is held. */
  has(recipient: string, id: Uint8Array): boolean {
    return this.q.find.get(recipient, buf(id)) !== undefined
  }

  /**
   * When this store first ran with signed deposits, persisted: `now` the
   * first time it is asked, the same ever after. Unsigned items stored before
   * it may still be repaired here (admit.ts).
   */
  signedSince(now: number): number {
    return signedDepositsSince(this.db, now)
  }

  /** Recipients with items held, sorted: what repair plans over. */
  recipients(): string[] {
    return this.q.recipients.all().map((r) => r.recipient)
  }

  /**
   * A recipient's items with all their copies, in id order, after `cursor`: repair pushes them
   * page by page. By id, not age: the index that put keeps anyway serves it (schema.ts, 2).
   */
  itemsOf(recipient: string, cursor: RepairCursor | undefined, limit: number): OfflineItem[] {
    const id = buf(cursor?.id ?? new Uint8Array(0))
    return this.q.page.all(recipient, id, limit).map((row) => this.full(row))
  }

  /** Every item, with every copy: for tests and small stores only. */
  all(): OfflineItem[] {
    return this.q.all.all().map((row) => this.full(row))
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  private full(row: ItemRow): OfflineItem {
    return itemOf(row, this.q.copies.all(row.seq))
  }

  private reloadUsage(): void {
    this.usage.clear()
    for (const r of this.q.usage.iterate())
      this.usage.add({ recipient: r.recipient, sender: r.sender, bytes: r.size })
  }
}

function chargeOf(item: OfflineItem): Charge {
  return { recipient: item.recipient, sender: item.sender, bytes: itemBytes(item) }
}

/** One copy per device: a second copy for the same device could never be told apart from the first. */
function uniqueCopies(copies: readonly OfflineCopy[]): OfflineCopy[] {
  const seen = new Map<string, OfflineCopy>()
  for (const c of copies) if (!seen.has(c.deviceId)) seen.set(c.deviceId, c)
  return [...seen.values()]
}

function itemOf(row: ItemRow, copies: readonly CopyRow[]): OfflineItem {
  return {
    id: bytes(row.id),
    recipient: row.recipient,
    sender: row.sender,
    storedAt: row.stored_at,
    nonce: bytes(row.nonce),
    ciphertext: bytes(row.ciphertext),
    copies: copies.map((c) => ({
      deviceId: c.device_id,
      ephemeral: bytes(c.ephemeral),
      wrapped: bytes(c.wrapped),
    })),
    ...(row.deposit === null ? {} : { deposit: bytes(row.deposit) }),
  }
}
