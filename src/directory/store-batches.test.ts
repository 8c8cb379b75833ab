import { describe, expect, it } from 'vitest'
import { StoreBatches } from './store-batches.js'

describe('StoreBatches', () => {
  it('sends a store at once when nothing is out to the peer', () => {
    const b = new StoreBatches<string>(64)
    expect(b.add('p', 1, ['r1'])).toEqual({ ids: [1], records: ['r1'] })
    expect(b.add('q', 2, ['r2'])).toEqual({ ids: [2], records: ['r2'] })
  })

  it('sends what came during a request in one request after it, and nothing more', () => {
    const b = new StoreBatches<string>(64)
    b.add('p', 1, ['r1'])
    for (let id = 2; id <= 40; id++) expect(b.add('p', id, [`r${id}`])).toBeUndefined()
    const after = b.settled('p', true)
    expect(after.done).toEqual([1])
    expect(after.next?.ids).toHaveLength(39)
    expect(after.next?.records[0]).toBe('r2')
    expect(b.settled('p', true)).toEqual({ done: after.next?.ids, failed: [], next: undefined })
    expect(b.pending()).toBe(0)
    // Idle again: the next store leaves at once.
    expect(b.add('p', 41, ['r41'])).toEqual({ ids: [41], records: ['r41'] })
  })

  it('keeps a request within the cap, whole units in the order they came', () => {
    const b = new StoreBatches<number>(4)
    b.add('p', 1, [0])
    b.add('p', 2, [1, 2])
    b.add('p', 3, [3, 4])
    b.add('p', 4, [5, 6])
    b.add('p', 5, [7])
    expect(b.settled('p', true).next).toEqual({ ids: [2, 3], records: [1, 2, 3, 4] })
    expect(b.settled('p', true).next).toEqual({ ids: [4, 5], records: [5, 6, 7] })
  })

  it('sends a unit larger than the cap alone and whole', () => {
    const b = new StoreBatches<number>(2)
    b.add('p', 1, [0])
    b.add('p', 2, [1, 2, 3])
    b.add('p', 3, [4])
    expect(b.settled('p', true).next).toEqual({ ids: [2], records: [1, 2, 3] })
    expect(b.settled('p', true).next).toEqual({ ids: [3], records: [4] })
  })

  it('fails what waited behind a failed request, so its records go to the next rank at once', () => {
    const b = new StoreBatches<string>(64)
    b.add('p', 1, ['r1'])
    b.add('p', 2, ['r2'])
    b.add('p', 3, ['r3'])
    b.add('q', 4, ['r4'])
    expect(b.settled('p', false)).toEqual({ done: [], failed: [1, 2, 3], next: undefined })
    expect(b.pending()).toBe(1)
    // The peer is tried afresh by the next store.
    expect(b.add('p', 5, ['r5'])).toEqual({ ids: [5], records: ['r5'] })
  })

  it('ignores a settle for a peer with nothing out', () => {
    const b = new StoreBatches<string>(64)
    expect(b.settled('p', true)).toEqual({ done: [], failed: [], next: undefined })
  })
})
