import { describe, expect, it } from 'vitest'
import { bySize, retryAt, UserRound } from './outbox.js'

describe('retryAt', () => {
  it('asks again within a minute for a recipient with no known device, within 5 for the rest', () => {
    const worst = (unseen: boolean) => Math.max(...[0, 0.5, 0.999].map((r) => retryAt(0, 30, unseen, 0, r)))
    expect(worst(true)).toBeLessThanOrEqual(60_250)
    expect(worst(false)).toBeGreaterThan(60_250)
    expect(worst(false)).toBeLessThanOrEqual(5 * 60_000 + 250)
    // Never before the store's retry-after, never at once.
    expect(retryAt(1000, 0, true, 90_000, 0)).toBe(90_000)
    expect(retryAt(1000, 0, false, 0, 0)).toBeGreaterThanOrEqual(1250)
  })
})

describe('bySize', () => {
  it('keeps every group under the byte budget and the item cap, in order, never splitting an item', () => {
    const sizes = [10, 500, 70, 70, 900, 5, 5, 5]
    const groups = bySize(sizes, (n) => n, 600, 3)
    expect(groups.flat()).toEqual(sizes)
    for (const g of groups) {
      expect(g.length).toBeLessThanOrEqual(3)
      if (g.length > 1) expect(g.reduce((a, n) => a + n + 16, 0)).toBeLessThanOrEqual(600)
    }
    // An item larger than the budget travels alone rather than never.
    expect(groups).toContainEqual([900])
  })

  it('gives nothing for nothing', () => {
    expect(bySize([], (n: number) => n, 100)).toEqual([])
  })
})

/**
 * The outbox in virtual time: one user's queue in memory, run round by round
 * the way delivery.ts runs it (due events → UserRound → pushes → settle →
 * deposits → retries), each round at the earliest due time.
 */
class Outbox {
  now = 0
  private readonly rows = new Map<string, { id: Uint8Array; attempts: number; nextAt: number }>()
  private readonly acks = new Map<string, Set<string>>()
  /** Devices the directory lists online. */
  readonly listed = new Set<string>()
  /** What the lookup cache answers when set (asked seconds ago); `confirm` asks the directory. */
  cached: Set<string> | undefined
  /** Rounds that asked the directory again before settling. */
  confirms = 0
  /** Listed devices a push actually reaches. */
  readonly reachable = new Set<string>()
  /** Devices we know (remembered when listed), sealed for when not reached. */
  readonly known = new Set<string>()
  /** On our newest revocation list. */
  readonly revoked = new Set<string>()
  /** A deposit fails with this "retry after" while set. */
  busy: number | undefined
  readonly pushes: { at: number; device: string }[] = []
  readonly deposits: { at: number; devices: string[] }[] = []
  /** When a deposit was tried, whether or not it went through. */
  readonly depositTries: number[] = []

  constructor(
    private readonly user: string,
    private readonly random: () => number,
    private readonly me = { username: 'alice', deviceId: 'alice-laptop' },
  ) {}

  /** A device listed online whose pushes go through. */
  online(deviceId: string): void {
    this.listed.add(deviceId)
    this.reachable.add(deviceId)
  }

  queue(name: string): void {
    this.rows.set(name, { id: new TextEncoder().encode(name), attempts: 0, nextAt: this.now })
  }

  get pending(): number {
    return this.rows.size
  }

  /** Runs every round due until `until`, in virtual time. */
  runUntil(until: number): void {
    for (;;) {
      const next = Math.min(...[...this.rows.values()].map((r) => r.nextAt))
      if (!Number.isFinite(next) || next > until) break
      this.now = Math.max(this.now, next)
      this.round()
    }
    this.now = until
  }

  private round(): void {
    const key = (id: Uint8Array) => new TextDecoder().decode(id)
    const events = [...this.rows.values()]
      .filter((r) => r.nextAt <= this.now)
      .map((r) => ({ id: r.id, attempts: r.attempts, bytes: new Uint8Array(100) }))
    const round = new UserRound({
      user: this.user,
      me: this.me,
      events,
      acked: (id) => this.acks.get(key(id)) ?? new Set(),
      isRevoked: (id) => this.revoked.has(id),
    })
    const device = (deviceId: string) => ({ username: this.user, deviceId, publicKey: new Uint8Array(32) })
    const pushAll = (answer: Set<string>) => {
      for (const d of round.targets([...answer].map((deviceId) => ({ deviceId })))) {
        this.known.add(d.deviceId)
        for (const part of round.pushesFor(d.deviceId)) {
          this.pushes.push({ at: this.now, device: d.deviceId })
          if (!this.reachable.has(d.deviceId)) {
            round.pushFailed(d.deviceId)
            break
          }
          const ids = part.map((e) => e.id)
          round.pushed(d.deviceId, ids)
          for (const id of ids) this.acks.set(key(id), (this.acks.get(key(id)) ?? new Set()).add(d.deviceId))
        }
      }
    }
    pushAll(this.cached ?? this.listed)
    if (round.shouldConfirm([...this.known].map(device))) {
      this.confirms++
      pushAll(this.listed)
    }
    const settled = round.settle([...this.known].map(device))
    for (const id of settled.done) this.rows.delete(key(id))
    for (const s of settled.seal) {
      this.depositTries.push(this.now)
      if (this.busy !== undefined) {
        round.depositFailed([s.event.id], this.now, this.busy)
        continue
      }
      this.deposits.push({ at: this.now, devices: s.devices.map((d) => d.deviceId) })
      this.rows.delete(key(s.event.id))
    }
    for (const r of round.retries(this.now, this.random)) {
      const row = this.rows.get(key(r.id))!
      row.attempts++
      row.nextAt = r.at
    }
  }
}

describe('the outbox in virtual time', () => {
  const middle = () => 0.5

  it('retries a listed device whose push broke on the backoff schedule, then seals for the offline store', () => {
    const o = new Outbox('bob', middle)
    o.listed.add('bob-phone') // listed online, but every push breaks (a relay hiccup that lasts)
    o.queue('m1')
    o.runUntil(60_000)
    // Attempt n waits 250 ms + half its window (1 s · 2^n): 750, +1,250, +2,250.
    expect(o.pushes.map((p) => p.at)).toEqual([0, 750, 2_000, 4_250])
    // After PUSH_RETRIES retries, the fourth failure seals it for the phone, at once.
    expect(o.deposits).toEqual([{ at: 4_250, devices: ['bob-phone'] }])
    expect(o.pending).toBe(0)
  })

  it('stops retrying once the device acknowledges: no more pushes, nothing sealed', () => {
    const o = new Outbox('bob', middle)
    o.listed.add('bob-phone')
    o.queue('m1')
    o.runUntil(500)
    o.reachable.add('bob-phone') // the relay recovered
    o.runUntil(60_000)
    expect(o.pushes.map((p) => p.at)).toEqual([0, 750])
    expect(o.deposits).toEqual([])
    expect(o.pending).toBe(0)
  })

  it('seals at once for a known device the directory does not list, and pushes to the listed one', () => {
    const o = new Outbox('bob', middle)
    o.known.add('bob-laptop')
    o.online('bob-phone')
    o.queue('m1')
    o.runUntil(0)
    expect(o.pushes).toEqual([{ at: 0, device: 'bob-phone' }])
    expect(o.deposits).toEqual([{ at: 0, devices: ['bob-laptop'] }])
    expect(o.pending).toBe(0)
  })

  it('asks at least once a minute for a user with no known device, and delivers when one comes online', () => {
    const worst = () => 0.999_999
    const o = new Outbox('carol', worst)
    o.queue('hello')
    o.runUntil(20 * 60_000)
    // Nothing can be sealed for nobody: it stays queued, never dropped.
    expect(o.pending).toBe(1)
    expect(o.deposits).toEqual([])
    const back = o.now
    o.online('carol-phone')
    o.runUntil(back + 60_250)
    expect(o.pushes).toEqual([{ at: expect.any(Number) as number, device: 'carol-phone' }])
    expect(o.pushes[0]!.at - back).toBeLessThanOrEqual(60_250)
    expect(o.pending).toBe(0)
  })

  it('never deposits again before a busy offline store said to', () => {
    const o = new Outbox('bob', middle)
    o.known.add('bob-laptop')
    o.busy = 30_000
    o.queue('m1')
    o.runUntil(29_999)
    expect(o.depositTries).toEqual([0])
    expect(o.deposits).toEqual([])
    o.busy = undefined
    o.runUntil(30_000)
    expect(o.deposits).toEqual([{ at: 30_000, devices: ['bob-laptop'] }])
  })

  it('never pushes to nor seals for a revoked device, even one the directory still lists', () => {
    const o = new Outbox('bob', middle)
    for (const d of ['bob-phone', 'bob-stolen']) {
      o.listed.add(d)
      o.reachable.add(d)
    }
    o.known.add('bob-old-stolen')
    o.revoked.add('bob-stolen')
    o.revoked.add('bob-old-stolen')
    o.queue('m1')
    o.runUntil(60_000)
    expect(o.pushes).toEqual([{ at: 0, device: 'bob-phone' }])
    expect(o.deposits).toEqual([])
    expect(o.pending).toBe(0)
  })

  it("is done at once with the user's own events when no other own device exists", () => {
    const o = new Outbox('alice', middle)
    o.queue('note')
    o.runUntil(0)
    expect(o.pending).toBe(0)
    expect(o.pushes).toEqual([])
  })

  it('pushes to a known device that came online since the cached answer, rather than sealing for it', () => {
    const o = new Outbox('alice', middle)
    // The laptop's cached lookup of alice was asked before her phone came online.
    o.cached = new Set()
    o.known.add('alice-phone')
    o.online('alice-phone')
    o.queue('accepted bob')
    o.runUntil(0)
    expect(o.confirms).toBe(1)
    expect(o.pushes).toEqual([{ at: 0, device: 'alice-phone' }])
    expect(o.deposits).toEqual([])
    expect(o.pending).toBe(0)
  })

  it('asks the directory again only when a known device would be sealed for', () => {
    const o = new Outbox('bob', middle)
    o.known.add('bob-phone')
    o.online('bob-phone')
    o.queue('m1')
    o.runUntil(0)
    expect(o.confirms).toBe(0)
    // The laptop is known but offline: asked again, still not listed, so sealed for.
    o.known.add('bob-laptop')
    o.queue('m2')
    o.runUntil(0)
    expect(o.confirms).toBe(1)
    expect(o.pushes).toEqual([
      { at: 0, device: 'bob-phone' },
      { at: 0, device: 'bob-phone' },
    ])
    expect(o.deposits).toEqual([{ at: 0, devices: ['bob-laptop'] }])
  })
})
