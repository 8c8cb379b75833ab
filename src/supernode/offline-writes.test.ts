/** A replica's writes committed together, on a real SQLite file: nothing lost, doubled, or answered early. */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OfflineStore } from '../offline/store.js'
import type { OfflineItem } from '../offline/types.js'
import { OfflineWrites } from './offline-writes.js'

const NOW = 1_700_000_000_000
let dir: string
let store: OfflineStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-offline-writes-'))
  store = OfflineStore.open(join(dir, 'offline.sqlite'), { quotas: { senderItems: 3 } })
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
const item = (sender = 'alice'): OfflineItem => ({
  id: rnd(16),
  recipient: 'bob',
  sender,
  storedAt: NOW,
  nonce: rnd(24),
  ciphertext: rnd(100),
  copies: [{ deviceId: 'phone', ephemeral: rnd(32), wrapped: rnd(72) }],
})

/** What another process reading the file sees: committed items only. */
function committed(): number {
  const db = new Database(join(dir, 'offline.sqlite'), { readonly: true })
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM items').get()!.n
  } finally {
    db.close()
  }
}

describe('OfflineWrites', () => {
  it('answers each store of a turn only once it is committed, each item once', async () => {
    const writes = new OfflineWrites(store, () => NOW)
    const a = item()
    const b = item('dave')
    const seen: number[] = []
    const answers = [writes.put([a]), writes.put([b, a]), writes.put([b])].map((p) =>
      p.then((r) => {
        seen.push(committed())
        return r
      }),
    )
    expect(committed()).toBe(0)
    expect(await Promise.all(answers)).toMatchObject([
      { ok: true, stored: 1, duplicates: 0 },
      { ok: true, stored: 1, duplicates: 1 },
      { ok: true, stored: 0, duplicates: 1 },
    ])
    expect(seen).toEqual([2, 2, 2])
    expect(store.count).toBe(2)
  })

  it('decides quotas in arrival order: a store past the sender’s quota is refused whole, the others kept', async () => {
    const writes = new OfflineWrites(store, () => NOW)
    const results = await Promise.all([
      writes.put([item(), item()]),
      writes.put([item(), item()]),
      writes.put([item('dave')]),
    ])
    expect(results).toMatchObject([
      { ok: true, stored: 2 },
      { ok: false, code: 'quota_exceeded', breach: 'sender_items' },
      { ok: true, stored: 1 },
    ])
    expect([store.count, committed()]).toEqual([3, 3])
  })

  it('fails every store of a turn whose write fails (the store was closed)', async () => {
    const writes = new OfflineWrites(store, () => NOW)
    const pending = [writes.put([item()]), writes.put([item('dave')])]
    store.close()
    for (const p of pending) await expect(p).rejects.toThrow()
  })
})
