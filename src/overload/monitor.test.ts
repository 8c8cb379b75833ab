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

describe('OverloadMonitor', () => {
  it('finds a blocked event loop overloaded, sheds new attachments, and keeps membership', async () => {
    const samples: number[] = []
    monitor = new OverloadMonitor({
      log: createLogger('test', { level: 'silent' }),
      intervalMs: 500,
      onSample: (p99) => samples.push(p99),
    }).start()
    for (let i = 0; i < 8 && !monitor.state().overloaded; i++) {
      block(300)
      await sleep(20)
    }
    expect(monitor.state().overloaded).toBe(true)
    expect(monitor.state().reason).toMatch(/^event-loop delay p99 \d+ ms, CPU asked \d+% of the time$/)
    expect(Math.max(...samples.filter((s) => !Number.isNaN(s)))).toBeGreaterThan(50)
    expect(monitor.admits('new-attachments')).toBe(false)
    expect(monitor.admits('membership')).toBe(true)
  })

  it('does not shed when the loop is late but the process itself is not running', async () => {
    const samples: number[] = []
    monitor = new OverloadMonitor({
      log: createLogger('test', { level: 'silent' }),
      intervalMs: 500,
      onSample: (p99) => samples.push(p99),
    }).start()
    // Atomics.wait parks the thread without using the CPU, as a descheduled process is parked.
    const parked = new Int32Array(new SharedArrayBuffer(4))
    for (let i = 0; i < 8; i++) {
      Atomics.wait(parked, 0, 0, 300)
      await sleep(20)
    }
    expect(Math.max(...samples.filter((s) => !Number.isNaN(s)))).toBeGreaterThan(50)
    expect(monitor.state().overloaded).toBe(false)
    expect(monitor.admits('new-attachments')).toBe(true)
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
