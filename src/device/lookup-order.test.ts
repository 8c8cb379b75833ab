import { describe, expect, it } from 'vitest'
import { Lookup, type ReplicaAnswer } from '../directory/lookup.js'
import type { StoredRecord } from '../directory/records.js'
import { deviceLookupOptions, LOOKUP_HEDGE_MS, supernodeOrder } from './lookup-order.js'

const rec: StoredRecord = {
  username: 'bob',
  deviceId: 'phone',
  sequence: 1,
  expiresAt: 1e12,
  bytes: new Uint8Array(),
}

/** A random source that plays back the given numbers. */
const playback = (...xs: number[]) => {
  let i = 0
  return () => xs[i++ % xs.length]!
}

describe('supernodeOrder', () => {
  it('asks the supernodes that answered lately first, in random order, and the slow ones last', () => {
    const slow = (p: string) => p === 'sn-a'
    expect(
      supernodeOrder(['sn-a', 'sn-b', 'sn-c'], slow, playback(0.1, 0.9, 0.2)).map((x) => x.peerId),
    ).toEqual(['sn-c', 'sn-b', 'sn-a'])
    expect(
      supernodeOrder(['sn-a', 'sn-b', 'sn-c'], slow, playback(0.1, 0.2, 0.9)).map((x) => x.peerId),
    ).toEqual(['sn-b', 'sn-c', 'sn-a'])
    expect(supernodeOrder(['sn-a', 'sn-b'], slow, Math.random).map((x) => x.slow)).toEqual([false, true])
  })
})

describe('a device lookup over its supernodes', () => {
  it('asks the second supernode when the first is silent, and takes its answer', () => {
    const core = new Lookup(deviceLookupOptions([{ peerId: 'frozen' }, { peerId: 'live' }], 'bob', 1_000), 0)
    expect(core.pollAsk()).toBe('frozen')
    expect(core.pollAsk()).toBeUndefined()
    expect(core.pollTimeout()).toBe(LOOKUP_HEDGE_MS)
    core.handleTimeout(LOOKUP_HEDGE_MS)
    expect(core.pollAsk()).toBe('live')
    core.onAnswer('live', { kind: 'found', records: [rec] }, LOOKUP_HEDGE_MS + 2)
    expect(core.result()).toEqual({ kind: 'found', records: [rec] })
    // The frozen one lost the hedge: the device asks it last for a while.
    expect(core.overdue(LOOKUP_HEDGE_MS + 2)).toEqual(['frozen'])
  })

  it("takes one supernode's nobody as the answer, and asks the next when one fails", () => {
    const nobody = new Lookup(deviceLookupOptions([{ peerId: 'a' }, { peerId: 'b' }], 'bob', 1_000), 0)
    nobody.pollAsk()
    nobody.onAnswer('a', { kind: 'not-found' }, 1)
    expect(nobody.result()).toEqual({ kind: 'not-found' })

    const failing = new Lookup(deviceLookupOptions([{ peerId: 'a' }, { peerId: 'b' }], 'bob', 1_000), 0)
    failing.pollAsk()
    const unavailable: ReplicaAnswer = { kind: 'error' }
    failing.onAnswer('a', unavailable, 1)
    expect(failing.pollAsk()).toBe('b')
    failing.onAnswer('b', { kind: 'found', records: [rec] }, 2)
    expect(failing.result()?.kind).toBe('found')
  })

  it('asks its one supernode again when it could not say, and finds the user (its other one lost, not replaced yet)', () => {
    // The supernode's own lookup ran out of its 700 ms on holders slow to answer, and says so.
    const core = new Lookup(deviceLookupOptions([{ peerId: 'left' }], 'bob', 1_000), 0)
    expect(core.pollAsk()).toBe('left')
    core.onAnswer('left', { kind: 'error' }, 700)
    // Asked again with 300 ms left: it now asks those holders without waiting on them.
    expect(core.pollAsk()).toBe('left')
    core.onAnswer('left', { kind: 'found', records: [rec] }, 720)
    expect(core.result()).toEqual({ kind: 'found', records: [rec] })
  })

  it('asks each supernode that could not say once more, not one that is silent, and then gives up', () => {
    const core = new Lookup(deviceLookupOptions([{ peerId: 'a' }, { peerId: 'b' }], 'bob', 1_000), 0)
    expect(core.pollAsk()).toBe('a')
    core.handleTimeout(LOOKUP_HEDGE_MS)
    expect(core.pollAsk()).toBe('b')
    core.onAnswer('b', { kind: 'error' }, 400)
    // a is still silent: nothing to ask until it answers or fails too.
    expect(core.pollAsk()).toBeUndefined()
    core.onAnswer('a', { kind: 'error' }, 500)
    expect([core.pollAsk(), core.pollAsk()]).toEqual(['a', undefined])
    core.handleTimeout(500 + LOOKUP_HEDGE_MS)
    expect(core.pollAsk()).toBe('b')
    core.onAnswer('a', { kind: 'error' }, 700)
    core.onAnswer('b', { kind: 'error' }, 710)
    expect(core.pollAsk()).toBeUndefined()
    expect(core.result()).toEqual({ kind: 'failed', reason: 'all-failed' })
  })

  it('gives up at its deadline when no supernode answers', () => {
    const core = new Lookup(deviceLookupOptions([{ peerId: 'a' }, { peerId: 'b' }], 'bob', 1_000), 0)
    core.handleTimeout(1_000)
    expect(core.result()).toEqual({ kind: 'failed', reason: 'timeout' })
  })
})
