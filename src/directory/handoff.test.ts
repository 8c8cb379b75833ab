import { describe, expect, it } from 'vitest'
import { Handoff } from './handoff.js'
import type { StoredRecord } from './records.js'

const rec = (deviceId: string, sequence = 1, expiresAt = 1e12): StoredRecord => ({
  username: `user-of-${deviceId}`,
  deviceId,
  sequence,
  expiresAt,
  bytes: new Uint8Array([sequence]),
})
const always = () => true
/** Retries at the top of their jitter window: the schedule is read exactly. */
const late = () => 0.999_999

describe('Handoff', () => {
  it('retries a record a rank did not take, with doubling backoff, until it takes it', () => {
    const h = new Handoff({ firstRetryMs: 500, maxRetryMs: 4_000, random: late })
    h.failed('x', [rec('d1')], 0)
    expect(h.due(499, always)).toEqual([])
    expect(h.due(500, always)).toEqual([{ to: 'x', records: [rec('d1')] }])
    // In flight: nothing more is due until its outcome is known.
    expect(h.pollTimeout()).toBeUndefined()
    h.failed('x', [rec('d1')], 500)
    expect(h.pollTimeout()).toBeCloseTo(1_500)
    expect(h.due(1_500, always)).toHaveLength(1)
    h.failed('x', [rec('d1')], 1_500)
    expect(h.pollTimeout()).toBeCloseTo(3_500)
    h.due(3_500, always)
    h.failed('x', [rec('d1')], 3_500)
    // Capped at maxRetryMs.
    expect(h.pollTimeout()).toBeCloseTo(7_500)
    h.due(7_500, always)
    h.failed('x', [rec('d1')], 7_500)
    expect(h.pollTimeout()).toBeCloseTo(11_500)
    const [push] = h.due(11_500, always)
    h.took('x', push!.records)
    expect(h.pollTimeout()).toBeUndefined()
    expect(h.stats()).toEqual({ owed: 0, peers: 0, dropped: 0 })
  })

  it('never retries sooner than half the backoff, and spreads retries over the other half', () => {
    const soon = new Handoff({ firstRetryMs: 1_000, random: () => 0 })
    soon.failed('x', [rec('d1')], 0)
    expect(soon.pollTimeout()).toBe(500)
    const mid = new Handoff({ firstRetryMs: 1_000, random: () => 0.5 })
    mid.failed('x', [rec('d1')], 0)
    expect(mid.pollTimeout()).toBe(750)
  })

  it("sends only a device's newest record, and a newer one stays owed when an older one is taken", () => {
    const h = new Handoff({ random: late })
    h.failed('x', [rec('d1', 1)], 0)
    h.failed('x', [rec('d1', 3), rec('d2', 1)], 0)
    h.failed('x', [rec('d1', 2)], 0)
    const [push] = h.due(1e9, always)
    expect(push!.records.map((r) => [r.deviceId, r.sequence])).toEqual([
      ['d1', 3],
      ['d2', 1],
    ])
    h.failed('x', [rec('d1', 4)], 1e9)
    h.took('x', push!.records)
    expect(h.stats().owed).toBe(1)
    expect(h.due(2e9, always)[0]!.records.map((r) => r.sequence)).toEqual([4])
  })

  it('drops expired records and records whose ranks no longer include the peer', () => {
    const h = new Handoff({ random: late })
    h.failed('x', [rec('gone', 1, 100), rec('moved'), rec('kept')], 0)
    const pushes = h.due(1_000, (_to, r) => r.deviceId !== 'moved')
    expect(pushes).toEqual([{ to: 'x', records: [rec('kept')] }])
    h.failed('y', [rec('moved')], 0)
    expect(h.due(1_000, () => false)).toEqual([])
    // Nothing left for y: it is forgotten, not retried for ever.
    expect(h.stats().peers).toBe(1)
  })

  it('keeps each peer to its own schedule', () => {
    const h = new Handoff({ firstRetryMs: 500, random: late })
    h.failed('x', [rec('d1')], 0)
    h.failed('y', [rec('d2')], 300)
    expect(h.due(500, always).map((p) => p.to)).toEqual(['x'])
    expect(h.due(800, always).map((p) => p.to)).toEqual(['y'])
  })

  it('holds at most maxRecords: past it new debts are dropped and counted, a newer record still replaces', () => {
    const h = new Handoff({ maxRecords: 2, firstRetryMs: 10, random: late })
    h.failed('x', [rec('a'), rec('b')], 0)
    h.failed('y', [rec('c')], 0)
    h.failed('x', [rec('a', 2)], 0)
    expect(h.stats()).toEqual({ owed: 2, peers: 1, dropped: 1 })
    const pushes = h.due(1e6, always)
    expect(pushes.flatMap((p) => p.records.map((r) => `${r.deviceId}${r.sequence}`))).toEqual(['a2', 'b1'])
  })
})
