import { describe, expect, it } from 'vitest'
import { percentile } from '../support/load.js'
import { Phase } from './stats.js'

describe('the percentile every benchmark shares', () => {
  it('is the nearest rank of ascending values', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(500)
    expect(percentile(values, 99)).toBe(990)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 99)).toBeNaN()
  })
})

describe('a phase of lookups', () => {
  it('sorts latencies for its percentiles, whatever order the lookups ended in', () => {
    const phase = new Phase('parley', 'healthy')
    for (let i = 100; i >= 1; i--) phase.record(i, 'ok')
    expect(phase.summary()).toEqual({ p50: 50, p99: 99, max: 100 })
  })

  it('counts "nobody" and "unavailable" apart, both as misses, and names the lookups that missed', () => {
    const phase = new Phase('kad-dht', 'frozen, immediately')
    phase.record(2, 'ok')
    phase.record(310, 'nobody', 'not found', 'user-7 from user-1')
    phase.record(999, 'unavailable', 'no peer answered', 'user-9 from user-2')
    phase.record(12, 'nobody', 'not found', 'user-3 from user-1')
    expect(phase.misses).toBe(3)
    expect(phase.failures).toBe(3)
    expect(phase.failureText()).toBe('3 (2 nobody, 1 unavailable)')
    expect(phase.failureLines()).toEqual([
      '3 (2 nobody, 1 unavailable): 2× not found; 1× no peer answered',
      'e.g. nobody user-7 from user-1 after 310 ms; unavailable user-9 from user-2 after 999 ms; nobody user-3 from user-1 after 12 ms',
    ])
  })

  it('gives its first n lookups by the order they started, not the order they ended', () => {
    const phase = new Phase('parley', 'frozen, immediately')
    // Started 0..3 and ended out of order: the slow first lookup ends last.
    phase.record(5, 'ok', undefined, undefined, 1)
    phase.record(6, 'ok', undefined, undefined, 2)
    phase.record(900, 'unavailable', 'deadline', 'user-1', 0)
    phase.record(7, 'ok', undefined, undefined, 3)
    const head = phase.first(2)
    expect(head.count).toBe(2)
    expect(head.latenciesMs).toEqual([900, 5])
    expect(head.failureText()).toBe('1 (1 unavailable)')
  })
})
