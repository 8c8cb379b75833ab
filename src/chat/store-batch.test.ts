/**
 * The chat store's batch statements (issue 12 §2: one statement per batch,
 * not per event) on a real SQLite file: they do what the per-event ones did,
 * and what the store remembers in memory never outlives a rollback.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ChatStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'parley-store-batch-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
const open = () => new ChatStore(join(dir, `s${++n}.sqlite`))
const id = (k: number) => new Uint8Array(16).fill(k)
const hex = (k: number) => Buffer.from(id(k)).toString('hex')

function message(store: ChatStore, k: number, state: 'sending' | 'sent' | 'delivered' | 'received') {
  store.addMessage({
    id: id(k),
    conversation: 'bob',
    sender: state === 'received' ? 'bob' : 'alice',
    senderDevice: 'd',
    lamport: k,
    sentAt: k,
    text: `m${k}`,
    state,
    held: false,
  })
}

describe('the chat store in batches', () => {
  it('moves messages forward in one statement, never back, and returns only those that moved', () => {
    const store = open()
    message(store, 1, 'sending')
    message(store, 2, 'sent')
    message(store, 3, 'delivered')
    message(store, 4, 'received')
    const moved = store.advanceAll([id(1), id(2), id(3), id(4), id(5)], 'delivered')
    expect(moved.map((m) => [m.id, m.state]).sort()).toEqual([
      [hex(1), 'delivered'],
      [hex(2), 'delivered'],
    ])
    expect(store.advanceAll([id(3)], 'sent')).toEqual([])
    expect([1, 2, 3, 4].map((k) => store.message(id(k))?.state)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'received',
    ])
    store.close()
  })

  it('records and forgets acknowledgements for a batch of events, per user', () => {
    const store = open()
    store.transaction(() => {
      for (const k of [1, 2, 3]) store.outbox.enqueue(id(k), 'bob', 0)
      store.outbox.enqueue(id(1), 'alice', 0)
      store.outbox.recordAck(id(1), 'bob', 'phone')
      store.outbox.recordAck(id(1), 'bob', 'laptop')
      store.outbox.recordAck(id(2), 'bob', 'phone')
      store.outbox.recordAck(id(1), 'alice', 'tablet')
    })
    const acks = store.outbox.acksOf([id(1), id(2), id(3)], 'bob')
    expect([...acks].map(([k, v]) => [k, [...v].sort()]).sort()).toEqual([
      [hex(1), ['laptop', 'phone']],
      [hex(2), ['phone']],
    ])
    store.transaction(() => store.outbox.done([id(1), id(2)], 'bob'))
    expect(store.outbox.acksOf([id(1), id(2)], 'bob').size).toBe(0)
    // The other user's row and acks for the same event stay.
    expect(store.outbox.pending()).toBe(2)
    expect([...(store.outbox.acksOf([id(1)], 'alice').get(hex(1)) ?? [])]).toEqual(['tablet'])
    store.close()
  })

  it('writes a device seen again after a rolled-back transaction forgot it', () => {
    const store = open()
    const device = { username: 'bob', deviceId: 'phone', publicKey: new Uint8Array(32) }
    expect(() =>
      store.transaction(() => {
        store.rememberDevice(device, 1_000)
        throw new Error('the event failed after the device was noted')
      }),
    ).toThrow('the event failed')
    store.rememberDevice(device, 1_001)
    expect(store.devicesOf('bob').map((d) => d.deviceId)).toEqual(['phone'])
    store.close()
  })
})
