import { describe, expect, it } from 'vitest'
import { Overload, SHED_ORDER, type LoadSample, type WorkClass } from './overload.js'

const delay = (ms: number): LoadSample => ({ delayP99Ms: ms, queues: [] })
const queue = (depth: number, cap = 100): LoadSample => ({
  delayP99Ms: 1,
  queues: [{ name: 'offline', depth, cap }],
})
const ALL: WorkClass[] = ['membership', ...SHED_ORDER]
const admitted = (o: Overload) => ALL.filter((w) => o.admits(w))

describe('Overload', () => {
  it('takes everything while the event loop keeps up', () => {
    const o = new Overload()
    for (let t = 0; t < 10_000; t += 1_000) o.observe(delay(50), t)
    expect(o.state()).toEqual({ overloaded: false, level: 0, reason: undefined, since: undefined })
    expect(admitted(o)).toEqual(ALL)
  })

  it('sheds new attachments first, then one more class each second, and never membership', () => {
    const o = new Overload()
    o.observe(delay(51), 0)
    expect(o.state()).toMatchObject({ overloaded: true, level: 1, since: 0 })
    expect(o.state().reason).toBe('event-loop delay p99 51 ms, CPU asked 100% of the time')
    expect(admitted(o)).toEqual(['membership', 'lookups-for-others', 'offline-writes', 'own-devices'])
    o.observe(delay(80), 500)
    expect(o.state().level).toBe(1)
    o.observe(delay(80), 1_000)
    expect(admitted(o)).toEqual(['membership', 'offline-writes', 'own-devices'])
    o.observe(delay(80), 2_000)
    expect(admitted(o)).toEqual(['membership', 'own-devices'])
    o.observe(delay(80), 3_000)
    expect(admitted(o)).toEqual(['membership'])
    for (let t = 4_000; t < 60_000; t += 1_000) o.observe(delay(500), t)
    expect(admitted(o)).toEqual(['membership'])
  })

  it("takes a late event loop for the host's, not its own, while the process hardly asks for the CPU", () => {
    const o = new Overload()
    const late = (cpuDemand: number): LoadSample => ({ delayP99Ms: 400, cpuDemand, queues: [] })
    for (let t = 0; t < 10_000; t += 1_000) o.observe(late(0.2), t)
    expect(o.state().level).toBe(0)
    expect(admitted(o)).toEqual(ALL)
    o.observe(late(0.3), 10_000)
    expect(o.state()).toMatchObject({
      level: 1,
      reason: 'event-loop delay p99 400 ms, CPU asked 30% of the time',
    })
    // Still late, but the process went quiet (below 60% of the demand): that counts towards clearing.
    for (let t = 11_000; t < 16_000; t += 1_000) o.observe(late(0.1), t)
    expect(o.state().level).toBe(1)
    o.observe(late(0.1), 16_000)
    expect(o.state().level).toBe(0)
  })

  it('clears only after 5 s below 60% of the threshold, and holds what it sheds in between', () => {
    const o = new Overload()
    o.observe(delay(60), 0)
    o.observe(delay(60), 1_000)
    expect(o.state().level).toBe(2)
    // Below the threshold but above 60% of it: hold, neither escalate nor clear.
    for (let t = 2_000; t <= 20_000; t += 1_000) o.observe(delay(40), t)
    expect(o.state().level).toBe(2)
    // Calm for 4.999 s, then a relapse into the band: the calm count starts again.
    o.observe(delay(29), 21_000)
    o.observe(delay(29), 25_999)
    o.observe(delay(31), 26_000)
    o.observe(delay(29), 27_000)
    o.observe(delay(29), 31_999)
    expect(o.state().overloaded).toBe(true)
    o.observe(delay(29), 32_000)
    expect(o.state()).toEqual({ overloaded: false, level: 0, reason: undefined, since: undefined })
    expect(admitted(o)).toEqual(ALL)
  })

  it('is overloaded by a queue past its cap, and clears when it drains below 60%', () => {
    const o = new Overload()
    o.observe(queue(100), 0)
    expect(o.state().overloaded).toBe(false)
    o.observe(queue(101), 1_000)
    expect(o.state()).toMatchObject({ overloaded: true, level: 1, reason: 'queue offline at 101 of 100' })
    o.observe(queue(60), 2_000)
    o.observe(queue(60), 8_000)
    expect(o.state().overloaded).toBe(true)
    o.observe(queue(59), 9_000)
    o.observe(queue(0), 14_000)
    expect(o.state().overloaded).toBe(false)
  })

  it('a missing sample (NaN) neither starts nor ends an overload', () => {
    const o = new Overload()
    o.observe(delay(Number.NaN), 0)
    expect(o.state().overloaded).toBe(false)
    o.observe(delay(100), 1_000)
    o.observe(delay(Number.NaN), 2_000)
    o.observe(delay(Number.NaN), 10_000)
    expect(o.state()).toMatchObject({ overloaded: true, level: 1 })
  })

  it('refuses thresholds that would never decide', () => {
    expect(() => new Overload({ delayP99Ms: 0 })).toThrow(RangeError)
    expect(() => new Overload({ clearFraction: 1 })).toThrow(RangeError)
    expect(() => new Overload({ clearForMs: Number.NaN })).toThrow(RangeError)
  })
})
