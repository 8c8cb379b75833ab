/**
 * The offline store's `batches` table (schema 3): each deposit batch's
 * certificate and signed root, once, for all of its items that a replica
 * holds (deposit-parts.ts). An item names its batch by `items.batch`. A batch
 * row lives as long as its youngest item: its `stored_at` is the latest of
 * its items', so expiry removes it with the last of them. Items
 * acknowledged earlier leave it until then (about 700 bytes a batch).
 */
import { hash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { joinDeposit, splitDeposit, type DepositParts } from './deposit-parts.js'

interface BatchRow {
  certificate: Buffer
  root: Buffer
}

/** How an item's deposit is stored: whole (batch null), or its own part of a batch's. */
export interface StoredDeposit {
  batch: number | null
  deposit: Buffer | null
}

const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)

/** The batch's key: SHA-256 over the certificate's length, the certificate and the signed root. */
function batchKey(parts: Pick<DepositParts, 'certificate' | 'root'>): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(parts.certificate.byteLength)
  return hash('sha256', Buffer.concat([length, parts.certificate, parts.root]), 'buffer')
}

export class BatchTable {
  private readonly q

  constructor(db: Database.Database) {
    this.q = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO batches (key, certificate, root, stored_at) VALUES (?, ?, ?, ?)',
      ),
      find: db.prepare<[Buffer], { seq: number; stored_at: number }>(
        'SELECT seq, stored_at FROM batches WHERE key = ?',
      ),
      younger: db.prepare('UPDATE batches SET stored_at = ? WHERE seq = ? AND stored_at < ?'),
      get: db.prepare<[number], BatchRow>('SELECT certificate, root FROM batches WHERE seq = ?'),
      expire: db.prepare('DELETE FROM batches WHERE stored_at <= ?'),
    }
  }

  /**
   * Inside a put's transaction: what to store for `deposit`, adding or
   * refreshing its batch row. One Writer per put: the items of a batch
   * arrive together, so each batch-mate after the first costs a compare.
   */
  writer(): (deposit: Uint8Array | undefined, storedAt: number) => StoredDeposit {
    let last: { parts: DepositParts; seq: number; storedAt: number } | undefined
    return (deposit, storedAt) => {
      if (deposit === undefined || deposit.byteLength === 0) return { batch: null, deposit: null }
      const parts = splitDeposit(deposit)
      if (parts === undefined) return { batch: null, deposit: buf(deposit) }
      if (last === undefined || !sameBatch(last.parts, parts))
        last = { parts, ...this.rowFor(parts, storedAt) }
      if (storedAt > last.storedAt) {
        this.q.younger.run(storedAt, last.seq, storedAt)
        last.storedAt = storedAt
      }
      return { batch: last.seq, deposit: buf(parts.rest) }
    }
  }

  /**
   * Puts stored deposits back together; one reader per read, remembering the batches it has seen.
   * A part that cannot be joined (a damaged file) gives the item without its deposit rather than
   * stop a repair walk: other replicas then refuse that one item as unsigned, and take the rest.
   */
  reader(): (stored: StoredDeposit) => Uint8Array | undefined {
    const seen = new Map<number, BatchRow | undefined>()
    return ({ batch, deposit }) => {
      if (deposit === null) return undefined
      if (batch === null) return new Uint8Array(deposit)
      if (!seen.has(batch)) seen.set(batch, this.q.get.get(batch))
      const row = seen.get(batch)
      if (row === undefined) return undefined
      try {
        return joinDeposit({ certificate: row.certificate, root: row.root, rest: deposit })
      } catch {
        return undefined
      }
    }
  }

  /** Batches whose every item is past `cutoff` (stored_at at or before it). */
  expire(cutoff: number): void {
    this.q.expire.run(cutoff)
  }

  private rowFor(parts: DepositParts, storedAt: number): { seq: number; storedAt: number } {
    const key = batchKey(parts)
    this.q.insert.run(key, buf(parts.certificate), buf(parts.root), storedAt)
    const row = this.q.find.get(key)!
    return { seq: row.seq, storedAt: row.stored_at }
  }
}

function sameBatch(a: DepositParts, b: DepositParts): boolean {
  return buf(a.root).equals(buf(b.root)) && buf(a.certificate).equals(buf(b.certificate))
}

/** For migration 3: every held item's deposit split as put now splits it, a page of items at a time. */
export function storeDepositsApart(db: Database.Database): number {
  const writer = new BatchTable(db).writer()
  const page = db.prepare<[number], { seq: number; stored_at: number; deposit: Buffer }>(
    'SELECT seq, stored_at, deposit FROM items WHERE seq > ? AND deposit IS NOT NULL ORDER BY seq LIMIT 512',
  )
  const update = db.prepare('UPDATE items SET batch = ?, deposit = ? WHERE seq = ?')
  let split = 0
  for (let rows = page.all(0); rows.length > 0; rows = page.all(rows[rows.length - 1]!.seq)) {
    for (const row of rows) {
      const stored = writer(new Uint8Array(row.deposit), row.stored_at)
      if (stored.batch === null) continue
      update.run(stored.batch, stored.deposit, row.seq)
      split++
    }
  }
  return split
}
