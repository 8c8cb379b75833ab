/**
 * A supernode upgraded from a Parley at offline schema version 1 (4306e4d):
 * its offline.sqlite, written by that commit's own OfflineStore and kept in
 * test/fixtures/offline-store-4306e4d (scripts/build-offline-store-fixture.mjs),
 * opened by today's store: every item is there, byte for byte, for each of its
 * devices and for repair; acknowledged copies stay gone, quotas count what the
 * file held, and the file is at today's version, so an older Parley refuses it.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate, StoreVersionError } from '../sqlite/migrate.js'
import { OFFLINE_MIGRATIONS } from './schema.js'
import { OfflineStore } from './store.js'
import { hexId, type OfflineItem } from './types.js'

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'offline-store-4306e4d')

interface Expected {
  signedSince: number
  items: Array<{
    recipient: string
    id: string
    sender: string
    storedAt: number
    content: string
    copies: Array<{ deviceId: string; sha256: string }>
    deposit: string | null
  }>
  dropped: Array<{ recipient: string; id: string; deviceId: string }>
  droppedItems: Array<{
    recipient: string
    id: string
    sender: string
    storedAt: number
    nonce: string
    ciphertext: string
    copies: Array<{ deviceId: string; ephemeral: string; wrapped: string }>
  }>
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected
/** Within retention of every item in the file. */
const NOW = Math.max(...expected.items.map((i) => i.storedAt)) + 3_600_000

const sha256 = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))

/** An item as the fixture's expected.json describes it. */
function described(i: OfflineItem): Expected['items'][number] {
  return {
    recipient: i.recipient,
    id: hexId(i.id),
    sender: i.sender,
    storedAt: i.storedAt,
    content: sha256(i.nonce, i.ciphertext),
    copies: i.copies.map((c) => ({ deviceId: c.deviceId, sha256: sha256(c.ephemeral, c.wrapped) })),
    deposit: i.deposit === undefined ? null : sha256(i.deposit),
  }
}

const byKey = (items: ReadonlyArray<{ recipient: string; id: string }>) =>
  [...items].sort((a, b) => (a.recipient + a.id < b.recipient + b.id ? -1 : 1))

let dir: string
let store: OfflineStore | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-offline-upgrade-'))
  copyFileSync(join(FIXTURE, 'offline.sqlite'), join(dir, 'offline.sqlite'))
})

afterEach(() => {
  store?.close()
  store = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe("an offline store made by 4306e4d (schema version 1), opened by today's supernode", () => {
  it('holds every item with every copy and deposit, byte for byte', () => {
    store = OfflineStore.open(join(dir, 'offline.sqlite'))
    expect(store.count).toBe(expected.items.length)
    expect(byKey(store.all().map(described))).toEqual(byKey(expected.items))
    expect(store.signedSince(NOW)).toBe(expected.signedSince)
  })

  it('gives each device its copies, and repair every item of each recipient', () => {
    store = OfflineStore.open(join(dir, 'offline.sqlite'))
    for (const recipient of ['bob', 'carol']) {
      const mine = expected.items.filter((i) => i.recipient === recipient)
      for (const deviceId of ['phone', 'laptop']) {
        const want = mine.filter((i) => i.copies.some((c) => c.deviceId === deviceId)).map((i) => i.id)
        const got: string[] = []
        for (let more = true; more;) {
          const page = store.take(recipient, deviceId, NOW, { page: { items: 7 }, exclude: got.map(fromHex) })
          got.push(...page.items.map((i) => hexId(i.id)))
          more = page.more
        }
        expect(got.sort()).toEqual(want.sort())
      }
      const pushed: OfflineItem[] = []
      // Bounded: a cursor that does not move would page forever.
      for (let page = store.itemsOf(recipient, undefined, 5), n = 0; page.length > 0 && n < 50; n++) {
        pushed.push(...page)
        page = store.itemsOf(recipient, { id: page[page.length - 1]!.id }, 5)
      }
      expect(byKey(pushed.map(described))).toEqual(byKey(mine))
    }
    expect(store.recipients()).toEqual(['bob', 'carol'])
  })

  it('keeps acknowledged copies gone: a repair push does not bring them back', () => {
    store = OfflineStore.open(join(dir, 'offline.sqlite'))
    const again = expected.droppedItems.map((i): OfflineItem => ({
      ...i,
      id: fromHex(i.id),
      nonce: fromHex(i.nonce),
      ciphertext: fromHex(i.ciphertext),
      copies: i.copies.map((c) => ({
        deviceId: c.deviceId,
        ephemeral: fromHex(c.ephemeral),
        wrapped: fromHex(c.wrapped),
      })),
    }))
    expect(store.put(again, NOW)).toMatchObject({ ok: true, stored: 0 })
    for (const d of expected.dropped) {
      const ids = store
        .take(d.recipient, d.deviceId, NOW, { page: { items: 1000 } })
        .items.map((i) => hexId(i.id))
      expect(ids).not.toContain(d.id)
    }
    expect(store.count).toBe(expected.items.length)
  })

  it('counts what the file held against the quotas', () => {
    const alice = expected.items.filter((i) => i.sender === 'alice').length
    store = OfflineStore.open(join(dir, 'offline.sqlite'), { quotas: { senderItems: alice + 1 } })
    const one = (n: number): OfflineItem => ({
      id: new Uint8Array(16).fill(n),
      recipient: 'carol',
      sender: 'alice',
      storedAt: NOW,
      nonce: new Uint8Array(24),
      ciphertext: new Uint8Array(10),
      copies: [{ deviceId: 'phone', ephemeral: new Uint8Array(32), wrapped: new Uint8Array(72) }],
    })
    expect(store.put([one(1)], NOW)).toMatchObject({ ok: true, stored: 1 })
    expect(store.put([one(2)], NOW)).toMatchObject({ ok: false, code: 'quota_exceeded' })
  })

  it('is at today’s schema version after opening: 4306e4d refuses it (store_too_new)', () => {
    OfflineStore.open(join(dir, 'offline.sqlite')).close()
    const db = new Database(join(dir, 'offline.sqlite'))
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(OFFLINE_MIGRATIONS.length)
      // 4306e4d knew migration 1 only.
      expect(() => migrate(db, 'offline.sqlite', OFFLINE_MIGRATIONS.slice(0, 1))).toThrow(StoreVersionError)
    } finally {
      db.close()
    }
  })
})
