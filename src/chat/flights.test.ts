import { describe, expect, it } from 'vitest'
import { Flights, GAP_MS, WINDOW } from './flights.js'
import { UserRound, type DueEvent } from './outbox.js'

/**
 * One conversation in virtual time, run the way delivery.ts runs it: a
 * message queued, or a round landing, starts a round for the user when
 * Flights has room; the round pushes its events to bob's phone, whose ack
 * comes `rtt` ms later. The phone takes pushes in the order they were
 * written (one stream, src/net/pipeline.ts).
 */
class Conversation {
  now = 0
  private seq = 0
  private readonly queued: { name: string; seq: number; at: number }[] = []
  private readonly flights = new Flights()
  private readonly landings: { at: number; run: () => void }[] = []
  readonly pushes: { at: number; events: string[] }[] = []
  /** What bob's phone took, in order. */
  readonly taken: string[] = []
  readonly delivered = new Map<string, number>()
  readonly queuedAt = new Map<string, number>()
  inFlight = 0
  maxInFlight = 0

  constructor(private readonly rtt: number) {}

  send(name: string): void {
    this.queued.push({ name, seq: this.seq++, at: this.now })
    this.queuedAt.set(name, this.now)
    this.kick()
  }

  /** Runs every landing due until `until`, in virtual time. */
  runUntil(until: number): void {
    for (;;) {
      this.landings.sort((a, b) => a.at - b.at)
      const next = this.landings[0]
      if (next === undefined || next.at > until) break
      this.landings.shift()
      this.now = Math.max(this.now, next.at)
      next.run()
    }
    this.now = until
  }

  private waking = false

  private kick(): void {
    for (;;) {
      const due: DueEvent[] = this.queued.map((q) => ({
        id: new TextEncoder().encode(q.name),
        attempts: 0,
        bytes: new Uint8Array(100),
      }))
      const events = this.flights.start('bob', due, this.now)
      if (events.length > 0) {
        this.launch(events)
        continue
      }
      // As delivery.ts does: run again when the gap after the last round ends.
      const at = this.flights.wakeAt('bob', this.now)
      if (at !== undefined && this.queued.length > 0 && !this.waking) {
        this.waking = true
        this.landings.push({
          at,
          run: () => {
            this.waking = false
            this.kick()
          },
        })
      }
      return
    }
  }

  private launch(events: DueEvent[]): void {
    const name = (e: DueEvent) => new TextDecoder().decode(e.id)
    const round = new UserRound({
      user: 'bob',
      me: { username: 'alice', deviceId: 'alice-laptop' },
      events,
      acked: () => new Set(),
      isRevoked: () => false,
    })
    for (const device of round.targets([{ deviceId: 'bob-phone' }]))
      for (const part of round.pushesFor(device.deviceId)) {
        this.pushes.push({ at: this.now, events: part.map(name) })
        this.taken.push(...part.map(name))
        this.inFlight++
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        this.landings.push({
          at: this.now + this.rtt,
          run: () => {
            this.inFlight--
            round.pushed(
              device.deviceId,
              part.map((e) => e.id),
            )
            const phone = { username: 'bob', deviceId: 'bob-phone', publicKey: new Uint8Array(32) }
            for (const id of round.settle([phone]).done) {
              const n = new TextDecoder().decode(id)
              this.delivered.set(n, this.now)
              this.queued.splice(
                this.queued.findIndex((q) => q.name === n),
                1,
              )
            }
            this.flights.land('bob', events)
            this.kick()
          },
        })
      }
  }
}

/** A push slower than the gap after which a round may join it. */
const RTT = 4 * GAP_MS

describe('rounds in flight (the outbox window)', () => {
  it('pushes a message sent while a slow push is in flight before that push is acked', () => {
    const c = new Conversation(RTT)
    c.send('m1')
    c.runUntil(1)
    c.send('m2')
    c.runUntil(100)
    // Before the window: m2 left when m1's ack came, and was delivered a round trip later.
    expect(c.pushes).toEqual([
      { at: 0, events: ['m1'] },
      { at: GAP_MS, events: ['m2'] },
    ])
    expect(c.delivered.get('m2')).toBe(GAP_MS + RTT)
  })

  it('at 1,000 messages/s and slow round trips, no message waits a whole round trip before its push', () => {
    const c = new Conversation(RTT)
    for (let t = 0; t < 1_000; t++) {
      c.runUntil(t)
      c.send(`m${t}`)
    }
    c.runUntil(2_000)
    expect(c.delivered.size).toBe(1_000)
    const waits = [...c.delivered].map(([n, at]) => at - c.queuedAt.get(n)!)
    // One round trip each, plus at most the wait for a round to land when the window is full.
    expect(Math.max(...waits)).toBeLessThan(2 * RTT)
    expect(c.maxInFlight).toBeGreaterThan(1)
    expect(c.maxInFlight).toBeLessThanOrEqual(WINDOW)
    // Rounds of several events, not one each: at most one round per GAP_MS.
    expect(c.pushes.length).toBeLessThanOrEqual(1_000 / GAP_MS + 1)
    // Every message pushed once, in the order sent.
    expect(c.taken).toEqual(Array.from({ length: 1_000 }, (_, t) => `m${t}`))
  })

  it('never holds one event in two rounds, and starts no round without room', () => {
    const f = new Flights(2, 1, 0)
    const e = (n: string): DueEvent => ({
      id: new TextEncoder().encode(n),
      attempts: 0,
      bytes: new Uint8Array(1),
    })
    const first = f.start('bob', [e('a'), e('b')], 0, 1)
    expect(first.map((x) => x.id)).toEqual([e('a').id])
    // 'a' is in flight: the next round takes 'b' only.
    expect(f.start('bob', [e('a'), e('b')], 0).map((x) => x.id)).toEqual([e('b').id])
    expect(f.start('bob', [e('c')], 0)).toEqual([])
    // One user in flight at most here: carol waits.
    expect(f.canStart('carol', 0)).toBe(false)
    f.land('bob', first)
    expect(f.held('bob')).toBe(1)
    f.land('bob', [e('b')])
    expect(f.canStart('carol', 0)).toBe(true)
    expect(f.start('bob', [e('a')], 0).map((x) => x.id)).toEqual([e('a').id])
  })
})
