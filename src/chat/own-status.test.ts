import { describe, expect, it } from 'vitest'
import { OwnStatus, type UserStatus } from './own-status.js'

/** The device's loop in virtual time: ticks when asked, and what the user's clients hear. */
function driven(awayAfterMs: number, chosen: UserStatus = 'online') {
  const store = { chosen }
  const own = new OwnStatus({ awayAfterMs, chosen: () => store.chosen }, 0)
  const heard: UserStatus[] = []
  let now = 0
  return {
    own,
    heard,
    store,
    /** Runs the sweep every `every` ms up to `until`, as the service's timer does. */
    idle(until: number, every = 500) {
      for (now += every; now <= until; now += every) if (own.tick(now)) heard.push(own.status())
      now = until
    },
    act(at: number) {
      now = at
      if (own.active(now)) heard.push(own.status())
    },
  }
}

describe('own status: idle turns online into away, the next action turns it back', () => {
  it('an idle user is heard turning away exactly once, and back online exactly once', () => {
    // test/chat.test.ts's dave, in virtual time: accepts a contact, idles 2 s, sends a message.
    const d = driven(2_000)
    d.idle(1_500)
    d.act(1_900)
    d.idle(10_000)
    expect(d.own.status()).toBe('away')
    d.act(10_000)
    expect(d.heard).toEqual(['away', 'online'])
    expect(d.own.status()).toBe('online')
  })

  it('turns away at the idle time, not before', () => {
    const d = driven(2_000)
    d.idle(1_999, 1)
    expect(d.heard).toEqual([])
    d.idle(2_000, 1)
    expect(d.heard).toEqual(['away'])
    expect(d.own.nextTick()).toBeUndefined()
  })

  it('an action before the idle time pushes it back', () => {
    const d = driven(2_000)
    d.act(1_500)
    expect(d.own.nextTick()).toBe(3_500)
    d.idle(3_499, 1)
    expect(d.heard).toEqual([])
    d.idle(3_500, 1)
    expect(d.heard).toEqual(['away'])
  })

  it('do not disturb and invisible never turn away, and nothing is heard', () => {
    for (const chosen of ['dnd', 'invisible'] as const) {
      const d = driven(2_000, chosen)
      d.idle(60_000)
      d.act(60_000)
      expect(d.heard).toEqual([])
      expect(d.own.status()).toBe(chosen)
    }
  })

  it('choosing a status clears away and restarts the idle time', () => {
    const d = driven(2_000)
    d.idle(2_000)
    expect(d.own.status()).toBe('away')
    d.store.chosen = 'online'
    d.own.chose(5_000)
    expect(d.own.status()).toBe('online')
    expect(d.own.nextTick()).toBe(7_000)
  })

  it('0 turns auto-away off', () => {
    const d = driven(0)
    d.idle(3_600_000, 60_000)
    expect(d.heard).toEqual([])
    expect(d.own.nextTick()).toBeUndefined()
  })

  it('a clock that steps back does not undo the idle time already counted', () => {
    const d = driven(2_000)
    d.act(5_000)
    d.act(4_000)
    expect(d.own.nextTick()).toBe(7_000)
  })
})
