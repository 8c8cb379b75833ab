/** The offline store's quotas as a sans-IO core, and the store's global byte cap (issue 10, M4). */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { DEFAULT_QUOTAS, Usage } from './quota.js'
import { OfflineStore } from './store.js'
import { itemBytes, type OfflineItem } from './types.js'

const NOW = 1_700_000_000_000
const charge = (recipient: string, sender: string, bytes: number) => ({ recipient, sender, bytes })

describe('Usage: the global byte cap', () => {
  it('defaults to 1 GiB and refuses a bad cap', () => {
    expect(new Usage().quotas.storeBytes).toBe(1024 ** 3)
    expect(DEFAULT_QUOTAS.storeBytes).toBe(1024 ** 3)
    expect(() => new Usage({ storeBytes: -1 })).toThrow(InvalidOptionError)
    expect(() => new Usage({ storeBytes: 1.5 })).toThrow(InvalidOptionError)
  })

  it('sums every recipient and sender: many small users under their own quotas still hit it', () => {
    const u = new Usage({ storeBytes: 1000 })
    for (let i = 0; i < 9; i++) u.add(charge(`r${i}`, `s${i}`, 100))
    expect(u.bytes).toBe(900)
    expect(u.breach([charge('r9', 's9', 100)])).toBeUndefined()
    expect(u.breach([charge('r9', 's9', 101)])).toBe('store_bytes')
    // A batch is judged whole: two that fit alone do not fit together.
    expect(u.breach([charge('a', 'b', 60), charge('c', 'd', 60)])).toBe('store_bytes')
  })

  it('frees room as items leave, and clear() starts over', () => {
    const u = new Usage({ storeBytes: 200 })
    u.add(charge('bob', 'alice', 150))
    expect(u.breach([charge('carol', 'dave', 100)])).toBe('store_bytes')
    u.remove(charge('bob', 'alice', 150))
    expect(u.bytes).toBe(0)
    expect(u.breach([charge('carol', 'dave', 100)])).toBeUndefined()
    u.add(charge('bob', 'alice', 150))
    u.clear()
    expect(u.bytes).toBe(0)
  })

  it('a user past their own quota is told that, not "store full"', () => {
    const u = new Usage({ storeBytes: 100, recipientItems: 1 })
    u.add(charge('bob', 'alice', 100))
    expect(u.breach([charge('bob', 'carol', 10)])).toBe('recipient_items')
    expect(u.breach([charge('dave', 'carol', 10)])).toBe('store_bytes')
  })
})

describe('OfflineStore at its byte cap', () => {
  const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
  const item = (recipient: string, sender: string): OfflineItem => ({
    id: rnd(16),
    recipient,
    sender,
    storedAt: NOW,
    nonce: rnd(24),
    ciphertext: rnd(400),
    copies: [{ deviceId: 'phone', ephemeral: rnd(32), wrapped: rnd(72) }],
  })

  it('answers store_full, evicts nothing, and takes items again once some were fetched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-quota-'))
    const size = itemBytes(item('x', 'y'))
    const store = OfflineStore.open(join(dir, 'offline.sqlite'), { quotas: { storeBytes: size * 3 } })
    try {
      const held = [item('bob', 'alice'), item('carol', 'mallory'), item('carol', 'mallory')]
      expect(store.put(held, NOW)).toMatchObject({ ok: true, stored: 3 })
      expect(store.bytes).toBe(size * 3)
      expect(store.put([item('carol', 'mallory')], NOW)).toEqual({
        ok: false,
        code: 'store_full',
        breach: 'store_bytes',
      })
      // Nothing held was evicted to make room.
      expect(store.count).toBe(3)
      expect(store.take('bob', 'phone', NOW).items).toHaveLength(1)
      expect(store.take('carol', 'phone', NOW).items).toHaveLength(2)
      // Bob fetched and acknowledged: there is room again, and the usage survives a reopen.
      store.drop('bob', 'phone', [held[0]!.id])
      expect(store.put([item('bob', 'alice')], NOW)).toMatchObject({ ok: true, stored: 1 })
      store.close()
      const again = OfflineStore.open(join(dir, 'offline.sqlite'), { quotas: { storeBytes: size * 3 } })
      expect(again.bytes).toBe(size * 3)
      expect(again.put([item('dave', 'erin')], NOW)).toMatchObject({ ok: false, code: 'store_full' })
      again.close()
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
