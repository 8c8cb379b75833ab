import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { batches, pageLength } from './paging.js'
import { Usage } from './quota.js'
import { Shedder } from './shed.js'

describe('Shedder', () => {
  it('admits up to the limit, then sheds devices first, replicas past their headroom', () => {
    const s = new Shedder({ limit: 2, replicaHeadroom: 1 })
    expect(s.tryEnter('device')).toBe(true)
    expect(s.tryEnter('device')).toBe(true)
    expect(s.tryEnter('device')).toBe(false)
    expect(s.tryEnter('replica')).toBe(true)
    expect(s.tryEnter('replica')).toBe(false)
    expect(s.shed).toBe(2)
    s.leave()
    expect(s.tryEnter('replica')).toBe(true)
    expect(s.inProgress).toBe(3)
    s.leave()
    s.leave()
    expect(s.tryEnter('device')).toBe(true)
  })

  it('spreads retry-after over [base, 2 × base) and never goes below zero in flight', () => {
    const s = new Shedder({ retryAfterMs: 1000 })
    expect(s.retryAfter(0)).toBe(1000)
    expect(s.retryAfter(0.5)).toBe(1500)
    expect(s.retryAfter(7)).toBeLessThan(2000)
    s.leave()
    expect(s.inProgress).toBe(0)
  })

  it('refuses bad options', () => {
    expect(() => new Shedder({ limit: -1 })).toThrow(InvalidOptionError)
    expect(() => new Shedder({ limit: 1.5 })).toThrow(InvalidOptionError)
  })
})

describe('paging', () => {
  it('fills a page by items and bytes, always at least one item', () => {
    expect(pageLength([10, 10, 10], { items: 2, bytes: 100 })).toBe(2)
    expect(pageLength([10, 10, 10], { items: 9, bytes: 25 })).toBe(2)
    expect(pageLength([500, 1], { items: 9, bytes: 25 })).toBe(1)
    expect(pageLength([], { items: 9, bytes: 25 })).toBe(0)
    expect(pageLength([1, 2, 3, 4], { items: 2, bytes: 100 }, 3)).toBe(1)
  })

  it('splits into batches that each fit, in order, losing nothing', () => {
    const sizes = [5, 50, 5, 5, 5, 90, 1]
    const out = batches(sizes, (n) => n, { items: 3, bytes: 60 })
    expect(out.flat()).toEqual(sizes)
    expect(out).toEqual([[5, 50, 5], [5, 5], [90], [1]])
    expect(batches([1, 2], (n) => n, { items: 0, bytes: 0 })).toEqual([[1], [2]])
  })
})

describe('Usage', () => {
  it('checks a batch as a whole and counts what is added and removed', () => {
    const u = new Usage({ recipientItems: 2, recipientBytes: 100, senderItems: 3 })
    const c = (recipient: string, sender = 'alice', bytes = 10) => ({ recipient, sender, bytes })
    expect(u.breach([c('bob'), c('bob')])).toBeUndefined()
    expect(u.breach([c('bob'), c('bob'), c('bob')])).toBe('recipient_items')
    expect(u.breach([c('bob', 'alice', 101)])).toBe('recipient_bytes')
    expect(u.breach([c('bob'), c('carol'), c('dave'), c('erin')])).toBe('sender_items')
    u.add(c('bob'))
    u.add(c('carol'))
    expect(u.items).toBe(2)
    expect(u.sender('alice')).toBe(2)
    expect(u.breach([c('dave'), c('erin')])).toBe('sender_items')
    u.remove(c('bob'))
    expect(u.recipient('bob')).toEqual({ items: 0, bytes: 0 })
    expect(u.items).toBe(1)
    expect(() => new Usage({ senderItems: Number.NaN })).toThrow(InvalidOptionError)
  })
})
