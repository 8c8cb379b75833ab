import { pino } from 'pino'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { AuthorityRefusedError, AuthorityUnreachableError } from './authority-client.js'
import type { Certificate } from '../trust/certificate.js'
import { RenewalLoop } from './renewal-loop.js'

const LIFETIME = 30_000

/** Only what the loop reads: the serial, the validity and the bytes its jitter is drawn from. */
function cert(serial: number, notBefore: number): Certificate {
  return {
    serial: BigInt(serial),
    notBefore,
    notAfter: notBefore + LIFETIME,
    bytes: new Uint8Array([serial]),
  } as Certificate
}

function capturingLog(): { log: pino.Logger; lines: Array<{ level: number; msg: string; kind?: string }> } {
  const lines: Array<{ level: number; msg: string; kind?: string }> = []
  const log = pino(
    { level: 'info' },
    { write: (s: string) => lines.push(JSON.parse(s) as (typeof lines)[0]) },
  )
  return { log, lines }
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }))
afterEach(() => vi.useRealTimers())

it('renews ahead of expiry and hands each new certificate over, again and again', async () => {
  let serial = 1
  const renewed: bigint[] = []
  const loop = new RenewalLoop(cert(1, Date.now()), {
    renew: () => Promise.resolve(cert(++serial, Date.now())),
    onRenewed: (c) => {
      expect(Date.now()).toBeLessThan(Number(c.notBefore) + LIFETIME)
      renewed.push(c.serial)
    },
    log: capturingLog().log,
  })
  loop.start()
  await vi.advanceTimersByTimeAsync(5 * LIFETIME)
  loop.stop()
  expect(renewed.length).toBeGreaterThanOrEqual(6)
  expect(loop.certificate.serial).toBe(renewed.at(-1))
  expect(loop.certificate.notAfter).toBeGreaterThan(Date.now())
})

it('retries failures with backoff, logs each kind of failure once, and never throws out of its timer', async () => {
  const { log, lines } = capturingLog()
  const start = Date.now()
  let calls = 0
  const loop = new RenewalLoop(cert(1, start), {
    renew: () => {
      calls++
      if (calls <= 4) return Promise.reject(new AuthorityUnreachableError('cannot reach the authority'))
      if (calls <= 6) return Promise.reject(new AuthorityRefusedError(429, 'rate_limited', 'slow down'))
      return Promise.resolve(cert(2, Date.now()))
    },
    onRenewed: () => {
      throw new Error('a broken owner')
    },
    log,
    random: () => 0.5,
  })
  loop.start()
  await vi.advanceTimersByTimeAsync(LIFETIME - 1)
  loop.stop()
  expect(calls).toBe(7)
  const failures = lines.filter((l) => l.msg.startsWith('certificate renewal failed'))
  expect(failures.map((l) => l.kind)).toEqual([
    'AuthorityUnreachableError:',
    'AuthorityRefusedError:rate_limited',
  ])
  expect(lines.some((l) => l.msg === 'certificate renewal round failed')).toBe(true)
  expect(loop.certificate.serial).toBe(2n)
  const after = calls
  await vi.advanceTimersByTimeAsync(10 * LIFETIME)
  expect(calls).toBe(after)
})
