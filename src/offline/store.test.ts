/** The offline store on a real SQLite file in a temporary folder. */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { StoreVersionError } from '../sqlite/migrate.js'
import { OFFLINE_MIGRATIONS } from './schema.js'
import { OfflineStore, type OfflineStoreOptions } from './store.js'
import { hexId, type OfflineItem } from './types.js'

const NOW = 1_700_000_000_000
const DAY = 24 * 3600_000
let dir: string
let stores: OfflineStore[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-offline-'))
})

afterEach(() => {
  for (const s of stores) s.close()
  stores = []
  rmSync(dir, { recursive: true, force: true })
})

function open(opts: OfflineStoreOptions = {}): OfflineStore {
  const store = OfflineStore.open(join(dir, 'offline.sqlite'), opts)
  stores.push(store)
  return store
}

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))

function item(over: Partial<OfflineItem> = {}, devices = ['phone', 'laptop']): OfflineItem {
  return {
    id: rnd(16),
    recipient: 'bob',
    sender: 'alice',
    storedAt: NOW,
    nonce: rnd(24),
    ciphertext: rnd(100),
    copies: devices.map((deviceId) => ({ deviceId, ephemeral: rnd(32), wrapped: rnd(72) })),
    ...over,
  }
}

const ids = (items: readonly OfflineItem[]): string[] => items.map((i) => hexId(i.id))

describe('put', () => {
  it('stores an item and gives it back byte for byte, with only the asking device’s copy', () => {
    const store = open()
    const it1 = item()
    expect(store.put([it1], NOW)).toMatchObject({ ok: true, stored: 1 })
    const { items, more } = store.take('bob', 'laptop', NOW)
    expect(more).toBe(false)
    expect(items).toEqual([{ ...it1, copies: [it1.copies[1]] }])
    expect(store.count).toBe(1)
  })

  it('is idempotent: a duplicate deposit is one item and ok', () => {
    const store = open()
    const it1 = item()
    store.put([it1], NOW)
    expect(store.put([it1, { ...it1, ciphertext: rnd(50) }], NOW + 5)).toMatchObject({
      ok: true,
      stored: 0,
      duplicates: 2,
    })
    expect(store.count).toBe(1)
    expect(store.all()[0]?.ciphertext).toEqual(it1.ciphertext)
  })

  it('keys items by recipient and id: the same event for two users is two items', () => {
    const store = open()
    const id = rnd(16)
    store.put([item({ id, recipient: 'bob' }), item({ id, recipient: 'alice' })], NOW)
    expect(store.count).toBe(2)
    expect(store.recipients()).toEqual(['alice', 'bob'])
  })

  it('takes a storedAt in the future as now, and refuses nothing but stores nothing past retention', () => {
    const store = open({ retentionMs: DAY })
    expect(store.put([item({ storedAt: NOW + DAY })], NOW)).toMatchObject({ stored: 1 })
    expect(store.all()[0]?.storedAt).toBe(NOW)
    expect(store.put([item({ storedAt: NOW - DAY })], NOW)).toMatchObject({ ok: true, stored: 0, expired: 1 })
  })

  it('survives a reopen, quotas counted from the file', () => {
    const store = open({ quotas: { recipientItems: 2 } })
    store.put([item(), item()], NOW)
    store.close()
    const again = open({ quotas: { recipientItems: 2 } })
    expect(again.count).toBe(2)
    expect(again.put([item()], NOW)).toEqual({ ok: false, code: 'quota_exceeded', breach: 'recipient_items' })
  })

  it('refuses bad options at open', () => {
    expect(() => open({ quotas: { senderItems: -1 } })).toThrow(InvalidOptionError)
    expect(() => open({ retentionMs: 0 })).toThrow(InvalidOptionError)
  })
})

describe('quotas', () => {
  it('refuses past the per-recipient item quota, whole batches only', () => {
    const store = open({ quotas: { recipientItems: 3 } })
    expect(store.put([item(), item()], NOW).ok).toBe(true)
    expect(store.put([item(), item()], NOW)).toEqual({
      ok: false,
      code: 'quota_exceeded',
      breach: 'recipient_items',
    })
    expect(store.count).toBe(2)
    expect(store.put([item()], NOW).ok).toBe(true)
    // Another recipient is not affected; a duplicate still answers ok when full.
    expect(store.put([item({ recipient: 'carol' })], NOW).ok).toBe(true)
    const held = store.all().find((i) => i.recipient === 'bob')!
    expect(store.put([held], NOW)).toMatchObject({ ok: true, duplicates: 1 })
  })

  it('refuses past the per-recipient byte quota', () => {
    const store = open({ quotas: { recipientBytes: 2_000 } })
    expect(store.put([item({ ciphertext: rnd(1_000) })], NOW).ok).toBe(true)
    expect(store.put([item({ ciphertext: rnd(1_000) })], NOW)).toMatchObject({ breach: 'recipient_bytes' })
  })

  it('refuses past the per-sender quota, across recipients', () => {
    const store = open({ quotas: { senderItems: 2 } })
    store.put([item({ recipient: 'bob' }), item({ recipient: 'carol' })], NOW)
    expect(store.put([item({ recipient: 'dave' })], NOW)).toMatchObject({ breach: 'sender_items' })
    expect(store.put([item({ recipient: 'dave', sender: 'erin' })], NOW).ok).toBe(true)
  })

  it('frees room as items are acknowledged and expire', () => {
    const store = open({ quotas: { recipientItems: 1 }, retentionMs: DAY })
    const a = item({}, ['phone'])
    store.put([a], NOW)
    expect(store.put([item()], NOW).ok).toBe(false)
    store.drop('bob', 'phone', [a.id])
    expect(store.put([item({ storedAt: NOW })], NOW).ok).toBe(true)
    expect(store.expire(NOW + DAY)).toBe(1)
    expect(store.count).toBe(0)
    expect(store.put([item({ storedAt: NOW + DAY })], NOW + DAY).ok).toBe(true)
  })
})

describe('take', () => {
  it('pages oldest first by items and bytes, and skips excluded ids', () => {
    const store = open()
    const all = Array.from({ length: 10 }, (_, i) => item({ storedAt: NOW - i }))
    store.put(all, NOW)
    const oldest = [...all].sort((a, b) => a.storedAt - b.storedAt)
    const first = store.take('bob', 'phone', NOW, { page: { items: 4 } })
    expect(ids(first.items)).toEqual(ids(oldest.slice(0, 4)))
    expect(first.more).toBe(true)
    const second = store.take('bob', 'phone', NOW, {
      page: { items: 4 },
      exclude: first.items.map((i) => i.id),
    })
    expect(ids(second.items)).toEqual(ids(oldest.slice(4, 8)))
    const rest = store.take('bob', 'phone', NOW, {
      page: { items: 4 },
      exclude: [...first.items, ...second.items].map((i) => i.id),
    })
    expect(ids(rest.items)).toEqual(ids(oldest.slice(8)))
    expect(rest.more).toBe(false)
    // A byte budget: always at least one item, never more than fits.
    const small = store.take('bob', 'phone', NOW, { page: { bytes: 1 } })
    expect(small.items).toHaveLength(1)
    expect(small.more).toBe(true)
  })

  it('gives nothing to another device or for another recipient, nor past retention', () => {
    const store = open({ retentionMs: DAY })
    store.put([item({}, ['phone'])], NOW)
    expect(store.take('bob', 'laptop', NOW).items).toEqual([])
    expect(store.take('carol', 'phone', NOW).items).toEqual([])
    expect(store.take('bob', 'phone', NOW + DAY).items).toEqual([])
  })
})

describe('drop', () => {
  it('removes one device’s copy, and the item with the last copy; a dropped copy is not stored again', () => {
    const store = open()
    const a = item()
    store.put([a], NOW)
    expect(store.drop('bob', 'phone', [a.id, rnd(16)])).toBe(1)
    expect(store.take('bob', 'phone', NOW).items).toEqual([])
    expect(store.take('bob', 'laptop', NOW).items).toHaveLength(1)
    expect(store.count).toBe(1)
    expect(store.drop('bob', 'laptop', [a.id])).toBe(1)
    expect(store.count).toBe(0)
    expect(store.all()).toEqual([])
    // A repair push of the same item (from a holder that missed the acks) does not bring it back.
    expect(store.put([a], NOW)).toMatchObject({ ok: true, stored: 0, acknowledged: 1 })
    expect(store.drop('bob', 'laptop', [a.id])).toBe(0)
  })

  it('only drops the named recipient’s items', () => {
    const store = open()
    const a = item()
    store.put([a], NOW)
    expect(store.drop('carol', 'phone', [a.id])).toBe(0)
    expect(store.count).toBe(1)
  })
})

describe('repair reads', () => {
  it('pages a recipient’s full items after a cursor', () => {
    const store = open()
    const all = Array.from({ length: 5 }, (_, i) => item({ storedAt: NOW - 10 + (i % 2) }))
    store.put(all, NOW)
    const seen: OfflineItem[] = []
    let cursor: { id: Uint8Array } | undefined
    for (;;) {
      const page = store.itemsOf('bob', cursor, 2)
      if (page.length === 0) break
      seen.push(...page)
      const last = page[page.length - 1]!
      cursor = { id: last.id }
    }
    expect(new Set(ids(seen))).toEqual(new Set(ids(all)))
    expect(seen).toHaveLength(5)
    expect(seen.every((i) => i.copies.length === 2)).toBe(true)
  })
})

describe('on disk', () => {
  it('holds the ciphertext exactly as given (the file is the bytes it was handed)', () => {
    const store = open()
    const marker = Buffer.from('a marker that only a ciphertext would carry: 8c1d0e')
    const ciphertext = new Uint8Array(Buffer.concat([rnd(64), marker, rnd(64)]))
    store.put([item({ ciphertext })], NOW)
    store.close()
    const file = Buffer.concat(
      ['offline.sqlite', 'offline.sqlite-wal'].map((f) => {
        try {
          return readFileSync(join(dir, f))
        } catch {
          return Buffer.alloc(0)
        }
      }),
    )
    expect(file.includes(Buffer.from(ciphertext))).toBe(true)
  })
})

describe('signed deposits (issue 10, H3)', () => {
  it('keeps each item’s deposit signature and gives it back for repair', () => {
    const store = open()
    const signed = item({ deposit: rnd(500) })
    const unsigned = item()
    store.put([signed, unsigned], NOW)
    const byId = new Map(store.all().map((i) => [hexId(i.id), i]))
    expect(byId.get(hexId(signed.id))?.deposit).toEqual(signed.deposit)
    expect(byId.get(hexId(unsigned.id))?.deposit).toBeUndefined()
    expect(store.has('bob', signed.id)).toBe(true)
    expect(store.has('carol', signed.id)).toBe(false)
  })

  it('brings a file from before signed deposits up to date, keeping its items unsigned', () => {
    const path = join(dir, 'offline.sqlite')
    const v1 = new Database(path)
    v1.exec(`
      CREATE TABLE items (seq INTEGER PRIMARY KEY, recipient TEXT NOT NULL, id BLOB NOT NULL,
        sender TEXT NOT NULL, stored_at INTEGER NOT NULL, size INTEGER NOT NULL, nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL, UNIQUE (recipient, id));
      CREATE TABLE copies (item INTEGER NOT NULL REFERENCES items (seq) ON DELETE CASCADE,
        device_id TEXT NOT NULL, recipient TEXT NOT NULL, stored_at INTEGER NOT NULL, id BLOB NOT NULL,
        size INTEGER NOT NULL, ephemeral BLOB NOT NULL, wrapped BLOB NOT NULL,
        PRIMARY KEY (item, device_id)) WITHOUT ROWID;`)
    const id = Buffer.from(rnd(16))
    v1.prepare('INSERT INTO items VALUES (1, ?, ?, ?, ?, ?, ?, ?)').run(
      'bob',
      id,
      'alice',
      NOW,
      100,
      rnd(24),
      rnd(60),
    )
    v1.prepare('INSERT INTO copies VALUES (1, ?, ?, ?, ?, ?, ?, ?)').run(
      'phone',
      'bob',
      NOW,
      id,
      100,
      rnd(32),
      rnd(72),
    )
    v1.close()
    const store = open()
    expect(store.count).toBe(1)
    const [old] = store.take('bob', 'phone', NOW).items
    expect([old?.sender, old?.deposit]).toEqual(['alice', undefined])
    expect(store.put([item({ deposit: rnd(10) })], NOW)).toMatchObject({ ok: true, stored: 1 })
  })

  it('refuses a file from a newer Parley with store_too_new and leaves its items', () => {
    const path = join(dir, 'offline.sqlite')
    const first = OfflineStore.open(path)
    expect(first.put([item()], NOW)).toMatchObject({ ok: true, stored: 1 })
    first.close()
    const newer = new Database(path)
    newer.pragma(`user_version = ${OFFLINE_MIGRATIONS.length + 1}`)
    newer.close()
    let caught: unknown
    try {
      stores.push(OfflineStore.open(path))
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(StoreVersionError)
    expect((caught as StoreVersionError).code).toBe('store_too_new')
    const after = new Database(path)
    expect([
      after.pragma('user_version', { simple: true }),
      after.prepare('SELECT count(*) FROM items').pluck().get(),
    ]).toEqual([OFFLINE_MIGRATIONS.length + 1, 1])
    after.close()
  })

  it('remembers when it first ran with signed deposits, across restarts', () => {
    const store = open()
    expect(store.signedSince(NOW)).toBe(NOW)
    expect(store.signedSince(NOW + DAY)).toBe(NOW)
    store.close()
    expect(open().signedSince(NOW + 2 * DAY)).toBe(NOW)
  })
})
