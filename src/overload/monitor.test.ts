/**
 * The monitor on a real event loop: a loop kept busy 300 ms at a time by its own work is overloaded,
 * however busy the host (a thread waiting for a core still asks for it); a loop held up as long while
 * the thread is parked (as a host stops or deschedules a process) is not.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.js'
import { OverloadMonitor } from './monitor.js'

let monitor: OverloadMonitor | undefined
afterEach(() => monitor?.stop())

function block(ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    // Busy: nothing else runs on this loop meanwhile.
  }
}

/** A monitor sampling every 500 ms, and the event-loop delay p99 of each sample as it comes. */
function sampled(): { m: OverloadMonitor; samples: number[] } {
  const samples: number[] = []
  const m = new OverloadMonitor({
    log: createLogger('test', { level: 'silent' }),
    intervalMs: 500,
    onSample: (p99) => samples.push(p99),
  }).start()
  monitor = m
  return { m, samples }
}

describe('OverloadMonitor', () => {
  it('finds a blocked event loop overloaded, sheds new attachments, and keeps membership', async () => {
    const { m, samples } = sampled()
    for (let i = 0; i < 8 && !m.state().overloaded; i++) {
      block(300)
      await sleep(20)
    }
    expect(m.state().overloaded).toBe(true)
    expect(m.state().reason).toMatch(/^event-loop delay p99 \d+ ms, CPU asked \d+% of the time$/)
    expect(Math.max(...samples.filter((s) => !Number.isNaN(s)))).toBeGreaterThan(50)
    expect(m.admits('new-attachments')).toBe(false)
    expect(m.admits('membership')).toBe(true)
  })

  it('does not shed when the loop is late but the process itself is not running', async () => {
    const { m, samples } = sampled()
    // Atomics.wait parks the thread without using the CPU, as a descheduled process is parked.
    const parked = new Int32Array(new SharedArrayBuffer(4))
    for (let i = 0; i < 8; i++) {
      Atomics.wait(parked, 0, 0, 300)
      await sleep(20)
    }
    expect(Math.max(...samples.filter((s) => !Number.isNaN(s)))).toBeGreaterThan(50)
    expect(m.state().overloaded).toBe(false)
    expect(m.admits('new-attachments')).toBe(true)
  })

  it('reports the depth of a queue past its cap as the reason', async () => {
    monitor = new OverloadMonitor({
      log: createLogger('test', { level: 'silent' }),
      intervalMs: 50,
      queues: () => [{ name: 'offline', depth: 65, cap: 64 }],
    }).start()
    await expect.poll(() => monitor!.state().reason, { timeout: 5_000 }).toBe('queue offline at 65 of 64')
  })
})
