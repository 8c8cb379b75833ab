/** The monitor on a real event loop: a loop blocked for 300 ms at a time is overloaded. */
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
    expect(monitor.state().reason).toMatch(/^event-loop delay p99 \d+ ms$/)
    expect(Math.max(...samples.filter((s) => !Number.isNaN(s)))).toBeGreaterThan(50)
    expect(monitor.admits('new-attachments')).toBe(false)
    expect(monitor.admits('membership')).toBe(true)
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
