import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RecordStore, type StoredRecord } from './records.js'

const rec = (username: string, deviceId: string, sequence: number, expiresAt = 1_000): StoredRecord => ({
  username,
  deviceId,
  sequence,
  expiresAt,
  bytes: Uint8Array.of(sequence & 0xff),
})

describe('RecordStore: sequences', () => {
  it('keeps the higher sequence per device; equal or lower is stale', () => {
    const store = new RecordStore()
    expect(store.put(rec('alice', 'd1', 5), 0)).toBe('stored')
    expect(store.put(rec('alice', 'd1', 5), 0)).toBe('stale')
    expect(store.put(rec('alice', 'd1', 4), 0)).toBe('stale')
    expect(store.put(rec('alice', 'd1', 6), 0)).toBe('stored')
    expect(store.get('alice', 0).map((r) => r.sequence)).toEqual([6])
    expect(store.size).toBe(1)
  })

  it('keeps devices and users apart', () => {
    const store = new RecordStore()
    store.put(rec('alice', 'd2', 1), 0)
    store.put(rec('alice', 'd1', 9), 0)
    store.put(rec('bob', 'd1', 1), 0)
    expect(store.get('alice', 0).map((r) => [r.deviceId, r.sequence])).toEqual([
      ['d1', 9],
      ['d2', 1],
    ])
    expect(store.get('bob', 0)).toHaveLength(1)
    expect(store.get('carol', 0)).toEqual([])
    expect([...store.usernames()].sort()).toEqual(['alice', 'bob'])
    expect(store.size).toBe(3)
  })

  it('serves the bytes it was given, as is', () => {
    const store = new RecordStore()
    const record = rec('alice', 'd1', 1)
    store.put(record, 0)
    expect(store.get('alice', 0)[0]!.bytes).toBe(record.bytes)
  })

  it('refuses sequences that cannot be ordered', () => {
    const store = new RecordStore()
    for (const sequence of [Number.NaN, -1, 1.5, 2 ** 60, Infinity]) {
      expect(store.put(rec('alice', 'd1', sequence), 0)).toBe('stale')
    }
    expect(store.size).toBe(0)
  })

  it('ends with the highest sequence whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), (sequences) => {
        const store = new RecordStore()
        for (const s of sequences) store.put(rec('alice', 'd1', s), 0)
        expect(store.get('alice', 0)[0]!.sequence).toBe(Math.max(...sequences))
      }),
    )
  })
})

describe('RecordStore: expiry', () => {
  it('refuses expired input, at and after expiresAt', () => {
    const store = new RecordStore()
    expect(store.put(rec('alice', 'd1', 1, 100), 100)).toBe('expired')
    expect(store.put(rec('alice', 'd1', 1, 100), 150)).toBe('expired')
    expect(store.put(rec('alice', 'd1', 1, Number.NaN), 0)).toBe('expired')
    expect(store.size).toBe(0)
  })

  it('hides expired records from get and all before expire() drops them', () => {
    const store = new RecordStore()
    store.put(rec('alice', 'd1', 1, 100), 0)
    store.put(rec('alice', 'd2', 1, 200), 0)
    store.put(rec('bob', 'd1', 1, 100), 0)
    expect(store.get('alice', 99)).toHaveLength(2)
    expect(store.get('alice', 100).map((r) => r.deviceId)).toEqual(['d2'])
    expect(store.all(100).map((r) => r.username)).toEqual(['alice'])
    expect(store.size).toBe(3)
    expect(store.expire(100)).toBe(2)
    expect(store.size).toBe(1)
    expect([...store.usernames()]).toEqual(['alice'])
    expect(store.get('alice', 100).map((r) => r.deviceId)).toEqual(['d2'])
    expect(store.expire(100)).toBe(0)
    expect(store.expire(200)).toBe(1)
    expect(store.get('alice', 200)).toEqual([])
  })

  it('does not drop a record that was replaced by a longer-lived one', () => {
    const store = new RecordStore()
    store.put(rec('alice', 'd1', 1, 100), 0)
    store.put(rec('alice', 'd1', 2, 500), 50)
    expect(store.expire(100)).toBe(0)
    expect(store.get('alice', 100).map((r) => r.sequence)).toEqual([2])
    expect(store.expire(500)).toBe(1)
    expect(store.size).toBe(0)
  })

  it('treats an expired record as gone, so a lower sequence may follow it', () => {
    const store = new RecordStore()
    store.put(rec('alice', 'd1', 9, 100), 0)
    expect(store.put(rec('alice', 'd1', 3, 300), 100)).toBe('stored')
    expect(store.get('alice', 100).map((r) => r.sequence)).toEqual([3])
  })

  it('remove() forgets one device', () => {
    const store = new RecordStore()
    store.put(rec('alice', 'd1', 1), 0)
    store.put(rec('alice', 'd2', 1), 0)
    store.remove('alice', 'd1')
    store.remove('alice', 'nobody')
    store.remove('nobody', 'd1')
    expect(store.get('alice', 0).map((r) => r.deviceId)).toEqual(['d2'])
    expect(store.size).toBe(1)
    store.remove('alice', 'd2')
    expect([...store.usernames()]).toEqual([])
    // A removed record's queue entry is stale and harmless.
    expect(store.expire(10_000)).toBe(0)
  })

  it('agrees with a plain model under random puts, removes and expiry', () => {
    type Op = { kind: 'put'; user: number; device: number; seq: number; ttl: number } | { kind: 'tick' }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        user: fc.nat(3),
        device: fc.nat(3),
        seq: fc.nat(10),
        ttl: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({ kind: fc.constant('tick' as const) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const store = new RecordStore()
        const model = new Map<string, StoredRecord>()
        let now = 0
        for (const o of ops) {
          if (o.kind === 'tick') {
            now += 7
            store.expire(now)
            continue
          }
          const r = rec(`u${o.user}`, `d${o.device}`, o.seq, now + o.ttl)
          const held = model.get(`${r.username}/${r.deviceId}`)
          const live = held !== undefined && held.expiresAt > now
          if (!live || held.sequence < r.sequence) model.set(`${r.username}/${r.deviceId}`, r)
          store.put(r, now)
        }
        const expected = [...model.values()].filter((r) => r.expiresAt > now)
        const key = (r: StoredRecord): string => `${r.username}/${r.deviceId}/${r.sequence}`
        expect(store.all(now).map(key).sort()).toEqual(expected.map(key).sort())
        store.expire(now)
        expect(store.size).toBe(expected.length)
      }),
      { numRuns: 300 },
    )
  })
})

describe('RecordStore: caps', () => {
  it('keeps the longest-lived devices of a user at the device cap', () => {
    const store = new RecordStore({ maxDevicesPerUser: 2 })
    expect(store.put(rec('alice', 'd1', 1, 300), 0)).toBe('stored')
    expect(store.put(rec('alice', 'd2', 1, 100), 0)).toBe('stored')
    // d3 lives longer than d2: d2, the device that published longest ago, goes.
    expect(store.put(rec('alice', 'd3', 1, 200), 0)).toBe('stored')
    expect(store.get('alice', 0).map((r) => r.deviceId)).toEqual(['d1', 'd3'])
    // d4 would be the first to expire: refused.
    expect(store.put(rec('alice', 'd4', 1, 150), 0)).toBe('full')
    // Known devices can always update.
    expect(store.put(rec('alice', 'd3', 2, 400), 0)).toBe('stored')
    // Other users are not affected.
    expect(store.put(rec('bob', 'd1', 1, 100), 0)).toBe('stored')
    expect(store.size).toBe(3)
  })

  it('frees a device slot once a record expired', () => {
    const store = new RecordStore({ maxDevicesPerUser: 1 })
    store.put(rec('alice', 'd1', 1, 100), 0)
    expect(store.put(rec('alice', 'd2', 1, 90), 50)).toBe('full')
    expect(store.put(rec('alice', 'd2', 1, 200), 100)).toBe('stored')
  })

  it('refuses new records at the global cap, still takes updates, and makes room as records expire', () => {
    const store = new RecordStore({ maxRecords: 2 })
    store.put(rec('alice', 'd1', 1, 100), 0)
    store.put(rec('bob', 'd1', 1, 1_000), 0)
    expect(store.put(rec('carol', 'd1', 1), 0)).toBe('full')
    expect(store.put(rec('alice', 'd1', 2, 100), 0)).toBe('stored')
    expect(store.size).toBe(2)
    // alice's record expired at 100: put drops it without waiting for expire().
    expect(store.put(rec('carol', 'd1', 1), 100)).toBe('stored')
    expect(store.get('carol', 100)).toHaveLength(1)
    expect(store.size).toBe(2)
  })

  it('keeps its expiry queue bounded under endless updates', () => {
    const store = new RecordStore()
    for (let seq = 1; seq <= 5_000; seq++) store.put(rec('alice', 'd1', seq, 10_000 + seq), 0)
    // Only the last one is live; the stale queue entries have been shed.
    const queue = (store as unknown as { queue: { length: number } }).queue
    expect(queue.length).toBeLessThan(2_000)
    expect(store.expire(20_000)).toBe(1)
  })
})
