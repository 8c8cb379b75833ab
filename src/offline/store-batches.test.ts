/**
 * Batch-signed deposits on a real SQLite file (schema 3): a batch's
 * certificate and signed root are kept once, each item's deposit comes back
 * whole for repair, however its batch-mates arrived and left.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OfflineKeys, type TestDevice } from './auth.fixtures.js'
import { signDeposit, signDepositBatch, verifyDeposit } from './deposit.js'
import { OfflineStore } from './store.js'
import { hexId, type OfflineItem } from './types.js'

const NOW = Date.now()
const DAY = 86_400_000
let keys: OfflineKeys
let alice: TestDevice
/** alice's device certified three weeks ago for 30 days, for items that old. */
let aliceThen: TestDevice
let dir: string
let stores: OfflineStore[] = []

beforeAll(async () => {
  keys = await OfflineKeys.create()
  alice = await keys.device('alice', { from: NOW - DAY })
  aliceThen = await keys.device('alice', { from: NOW - 21 * DAY, days: 30 })
})

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-offline-batches-'))
})

afterEach(() => {
  for (const s of stores) s.close()
  stores = []
  rmSync(dir, { recursive: true, force: true })
})

function open(): OfflineStore {
  const store = OfflineStore.open(join(dir, 'offline.sqlite'))
  stores.push(store)
  return store
}

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))

/** `count` items of a short message's size for `recipients`, one device each, signed by alice as one batch. */
function batch(count: number, storedAt = NOW, by = alice, recipients = ['bob', 'carol']): OfflineItem[] {
  const items: OfflineItem[] = Array.from({ length: count }, (_, i) => ({
    id: rnd(16),
    recipient: recipients[i % recipients.length]!,
    sender: 'alice',
    storedAt,
    nonce: rnd(24),
    ciphertext: rnd(436),
    copies: [{ deviceId: 'phone', ephemeral: rnd(32), wrapped: rnd(72) }],
  }))
  const deposits = signDepositBatch(items, by.certificate, by.signer)
  return items.map((item, i) => ({ ...item, deposit: deposits[i]! }))
}

const held = (store: OfflineStore): Map<string, OfflineItem> =>
  new Map(store.all().map((i) => [`${i.recipient}/${hexId(i.id)}`, i]))

function expectWhole(store: OfflineStore, items: readonly OfflineItem[]): void {
  const byKey = held(store)
  for (const item of items) {
    const got = byKey.get(`${item.recipient}/${hexId(item.id)}`)
    expect(got?.deposit).toEqual(item.deposit)
    expect(verifyDeposit(got!, got!.deposit!, keys.verifyOptions(got!.storedAt)).username).toBe('alice')
  }
}

describe('batch-signed deposits', () => {
  it('come back whole for repair, batch-mates stored across puts, next to deposits signed alone', () => {
    const store = open()
    const mates = batch(64)
    const alone = batch(1).map((i) => ({ ...i, deposit: signDeposit(i, alice.certificate, alice.signer) }))
    expect(store.put([...mates.slice(0, 20), ...alone], NOW)).toMatchObject({ ok: true, stored: 21 })
    expect(store.put(batch(16), NOW)).toMatchObject({ ok: true, stored: 16 })
    expect(store.put(mates.slice(20), NOW)).toMatchObject({ ok: true, stored: 44 })
    expectWhole(store, [...mates, ...alone])
    const page = store.itemsOf('bob', undefined, 10)
    expectWhole(store, page)
  })

  it('a batch-mate pushed later outlives the batch-mates stored first, deposit whole', () => {
    const store = open()
    const mates = batch(2, NOW - 20 * DAY, aliceThen)
    expect(store.put([mates[0]!], NOW - 20 * DAY)).toMatchObject({ ok: true, stored: 1 })
    // Repair brings the other one 15 days on: stored then by this replica, so it expires 15 days later.
    const later = { ...mates[1]!, storedAt: NOW - 5 * DAY }
    expect(store.put([later], NOW - 5 * DAY)).toMatchObject({ ok: true, stored: 1 })
    expect(store.expire(NOW + 11 * DAY)).toBe(1)
    expect(store.all().map((i) => hexId(i.id))).toEqual([hexId(later.id)])
    expectWhole(store, [later])
  })

  it('keep a store of 64-item batches under 1.25 KiB an item on disk', () => {
    // A deposit carries its device's certificate and the batch's signed root, the same for all 64:
    // stored once a batch, an item of a short message with its copy takes ~1.1 KiB on disk, not ~1.6.
    const store = open()
    const items = Array.from({ length: 16 }, () => batch(64)).flat()
    for (let i = 0; i < items.length; i += 64)
      expect(store.put(items.slice(i, i + 64), NOW)).toMatchObject({ ok: true, stored: 64 })
    store.close()
    expect(statSync(join(dir, 'offline.sqlite')).size / items.length).toBeLessThan(1280)
  })
})
