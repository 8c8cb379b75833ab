import { describe, expect, it } from 'vitest'
import { Gather } from './gather.js'

function asks<T>(g: Gather<T>): string[] {
  const out: string[] = []
  for (let p = g.pollAsk(); p !== undefined; p = g.pollAsk()) out.push(p)
  return out
}

describe('Gather', () => {
  it('asks every replica at once and decides when all answered, with every answer', () => {
    const g = new Gather<number>({ replicas: ['a', 'b', 'b', 'c'] }, 0)
    expect(asks(g)).toEqual(['a', 'b', 'c'])
    g.onAnswer('a', { kind: 'ok', value: 1 }, 1)
    g.onAnswer('b', { kind: 'error' }, 2)
    expect(g.result()).toBeUndefined()
    g.onAnswer('c', { kind: 'ok', value: 3 }, 3)
    expect(g.result()).toEqual({
      kind: 'done',
      answers: [
        { peer: 'a', value: 1 },
        { peer: 'c', value: 3 },
      ],
      failed: ['b'],
    })
  })

  it('a frozen replica holds it only graceMs past the first answer', () => {
    const g = new Gather<string>({ replicas: ['a', 'b', 'c'], attemptTimeoutMs: 300, graceMs: 50 }, 0)
    asks(g)
    g.onAnswer('b', { kind: 'ok', value: 'x' }, 10)
    g.onAnswer('c', { kind: 'ok', value: 'y' }, 12)
    expect(g.pollTimeout()).toBe(60)
    g.handleTimeout(59)
    expect(g.result()).toBeUndefined()
    g.handleTimeout(60)
    expect(g.result()).toMatchObject({ kind: 'done', failed: ['a'] })
    // Late answers change nothing.
    g.onAnswer('a', { kind: 'ok', value: 'late' }, 61)
    expect(g.result()).toMatchObject({ kind: 'done', failed: ['a'] })
    expect(g.pollTimeout()).toBeUndefined()
  })

  it('fails at the attempt timeout when nobody answered, and at once when all errored', () => {
    const silent = new Gather<number>({ replicas: ['a', 'b'], attemptTimeoutMs: 300 }, 0)
    asks(silent)
    expect(silent.pollTimeout()).toBe(300)
    silent.handleTimeout(300)
    expect(silent.result()).toEqual({ kind: 'failed', failed: ['a', 'b'] })

    const errors = new Gather<number>({ replicas: ['a', 'b'] }, 0)
    asks(errors)
    errors.onAnswer('a', { kind: 'error' }, 1)
    errors.onAnswer('b', { kind: 'error' }, 1)
    expect(errors.result()).toEqual({ kind: 'failed', failed: ['a', 'b'] })
  })

  it('ignores answers from replicas never asked, and decides at once with no replicas', () => {
    const g = new Gather<number>({ replicas: ['a'] }, 0)
    asks(g)
    g.onAnswer('z', { kind: 'ok', value: 9 }, 1)
    expect(g.result()).toBeUndefined()
    expect(new Gather<number>({ replicas: [] }, 0).result()).toEqual({ kind: 'failed', failed: [] })
  })

  it('a NaN or infinite wait falls back to the default', () => {
    const g = new Gather<number>({ replicas: ['a'], attemptTimeoutMs: Number.NaN, graceMs: Infinity }, 0)
    expect(g.pollTimeout()).toBe(300)
  })
})
