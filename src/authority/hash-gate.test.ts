import { describe, expect, it } from 'vitest'
import { HashGate, HashGateBusyError } from './hash-gate.js'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe('HashGate', () => {
  it('runs up to maxRunning at once, queues up to maxQueued, refuses the rest at once', async () => {
    const gate = new HashGate(2, 1)
    const blockers = [deferred(), deferred(), deferred()]
    let started = 0
    const jobs = blockers.map((b) =>
      gate.run(async () => {
        started++
        await b.promise
      }),
    )
    await Promise.resolve()
    expect(started).toBe(2)
    expect(gate.queued).toBe(1)
    await expect(gate.run(() => Promise.resolve())).rejects.toBeInstanceOf(HashGateBusyError)

    blockers[0]?.resolve()
    await jobs[0]
    await Promise.resolve()
    expect(started).toBe(3) // the queued job took the freed slot
    blockers[1]?.resolve()
    blockers[2]?.resolve()
    await Promise.all(jobs)
    // Everything drained: a new job runs straight away.
    await expect(gate.run(() => Promise.resolve('ok'))).resolves.toBe('ok')
  })

  it('frees the slot when the work fails', async () => {
    const gate = new HashGate(1, 0)
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(gate.run(() => Promise.resolve(1))).resolves.toBe(1)
  })
})
