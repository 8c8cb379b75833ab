import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Deadline, withDeadline } from './deadline.js'

describe('Deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('aborts with the TimeoutError AbortSignal.timeout gives, at its time', () => {
    const d = new Deadline(1_000)
    vi.advanceTimersByTime(999)
    expect(d.signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(d.signal.aborted).toBe(true)
    expect((d.signal.reason as Error).name).toBe('TimeoutError')
    expect((d.signal.reason as Error).message).toBe('The operation was aborted due to timeout')
  })

  it('once cleared, leaves no timer behind and never fires', () => {
    const d = new Deadline(1_000)
    d.clear()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(5_000)
    expect(d.signal.aborted).toBe(false)
  })

  it("follows its parent's abort and reason, and lets go of the parent when cleared", () => {
    const parent = new AbortController()
    const d = new Deadline(1_000, parent.signal)
    parent.abort(new Error('hung up'))
    expect(d.signal.aborted).toBe(true)
    expect((d.signal.reason as Error).message).toBe('hung up')

    const other = new AbortController()
    const e = new Deadline(1_000, other.signal)
    e.clear()
    other.abort(new Error('later'))
    expect(e.signal.aborted).toBe(false)
    expect(new Deadline(1_000, AbortSignal.abort(new Error('before'))).signal.aborted).toBe(true)
  })

  it('withDeadline clears the deadline however the work ends', async () => {
    await expect(withDeadline(1_000, undefined, () => Promise.resolve('done'))).resolves.toBe('done')
    await expect(withDeadline(1_000, undefined, () => Promise.reject(new Error('failed')))).rejects.toThrow(
      'failed',
    )
    expect(vi.getTimerCount()).toBe(0)
  })
})
