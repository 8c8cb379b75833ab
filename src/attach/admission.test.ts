import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { Admission } from './admission.js'
import type { HostHint } from './host-cache.js'

function sn(peerId: string, load: number, capacity = 100, mega = false): HostHint {
  return { peerId, addrs: [`/dns4/${peerId}.example/tcp/4001`], load, capacity, mega }
}

function fill(admission: Admission, n: number): void {
  for (let i = 0; i < n; i++) expect(admission.admit(`dev-${i}`, []).ok).toBe(true)
}

describe('Admission', () => {
  it('admits up to capacity, then answers busy', () => {
    const admission = new Admission({ capacity: 3 })
    fill(admission, 3)
    expect(admission.load).toBe(3)
    expect(admission.admit('late', [sn('other', 0)])).toEqual({ ok: false, hints: [sn('other', 0)] })
    expect(admission.load).toBe(3)
    expect(admission.has('late')).toBe(false)
  })

  it('defaults to 800 devices', () => {
    const admission = new Admission({})
    expect(admission.capacity).toBe(800)
    fill(admission, 800)
    expect(admission.admit('one-more', []).ok).toBe(false)
  })

  it('is idempotent: a device admitted before is ok again, even when full, and counted once', () => {
    const admission = new Admission({ capacity: 2 })
    fill(admission, 2)
    expect(admission.admit('dev-1', [])).toEqual({ ok: true })
    expect(admission.load).toBe(2)
  })

  it('release frees a place; releasing an unknown device is harmless', () => {
    const admission = new Admission({ capacity: 1 })
    fill(admission, 1)
    admission.release('nobody')
    expect(admission.admit('next', []).ok).toBe(false)
    admission.release('dev-0')
    expect(admission.has('dev-0')).toBe(false)
    expect(admission.admit('next', []).ok).toBe(true)
  })

  it('hints the least loaded by ratio, leaving out full supernodes and itself', () => {
    const admission = new Admission({ capacity: 0, self: 'me' })
    const others = [
      sn('me', 0),
      sn('full', 100),
      sn('over', 150),
      sn('no-capacity', 0, 0),
      sn('busy', 90),
      sn('mega', 4000, 10_000, true), // 0.4
      sn('idle', 5),
      sn('half', 50),
      sn('quiet-mega', 500, 10_000, true), // 0.05, ties with idle: ordinary first
    ]
    const verdict = admission.admit('dev', others)
    expect(verdict.ok).toBe(false)
    if (verdict.ok) return
    expect(verdict.hints.map((h) => h.peerId)).toEqual(['idle', 'quiet-mega', 'mega'])
  })

  it('honours hintCount, and answers busy with no hints when nobody has room', () => {
    const admission = new Admission({ capacity: 0, hintCount: 1 })
    expect(admission.admit('dev', [sn('a', 10), sn('b', 1)])).toEqual({ ok: false, hints: [sn('b', 1)] })
    expect(admission.admit('dev', [sn('a', 100)])).toEqual({ ok: false, hints: [] })
    expect(admission.admit('dev', [])).toEqual({ ok: false, hints: [] })
  })

  it('does not change the caller view of the others', () => {
    const admission = new Admission({ capacity: 0 })
    const others = [sn('b', 50), sn('a', 1)]
    const verdict = admission.admit('dev', others)
    expect(others.map((h) => h.peerId)).toEqual(['b', 'a'])
    if (!verdict.ok) verdict.hints[0]!.addrs.push('/changed')
    expect(others[1]!.addrs).toHaveLength(1)
  })

  it('never evicts: a lowered capacity only stops new admissions', () => {
    const admission = new Admission({ capacity: 5 })
    fill(admission, 5)
    admission.setCapacity(2) // degraded: short of CPU
    expect(admission.load).toBe(5)
    for (let i = 0; i < 5; i++) expect(admission.has(`dev-${i}`)).toBe(true)
    expect(admission.admit('dev-0', []).ok).toBe(true) // served ones stay served
    expect(admission.admit('new', []).ok).toBe(false)
    for (let i = 0; i < 4; i++) admission.release(`dev-${i}`)
    expect(admission.admit('new', []).ok).toBe(true) // 1 + 1 = 2
    expect(admission.admit('newer', []).ok).toBe(false)
  })

  it('refuses options that cannot work', () => {
    expect(() => new Admission({ capacity: -1 })).toThrow(InvalidOptionError)
    expect(() => new Admission({ capacity: 1.5 })).toThrow(InvalidOptionError)
    expect(() => new Admission({ capacity: 1, hintCount: NaN })).toThrow(InvalidOptionError)
  })
})
