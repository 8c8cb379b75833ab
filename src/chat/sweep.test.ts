import { describe, expect, it } from 'vitest'
import { silentLogger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import { OwnStatus } from './own-status.js'
import { CONTACT_SWEEP_MS, Sweep, sweepEvery } from './sweep.js'

/** Accepted contacts and what the directory says of them, in virtual time. */
function world(awayAfterMs = 0) {
  let now = 1_000_000
  const presence = new Map([
    ['bob', 'online'],
    ['carol', 'online'],
    ['dave', 'away'],
    ['erin', 'offline'],
  ])
  const listed = new Map<string, Presence[] | 'unavailable'>([
    ['bob', []],
    ['carol', [{ deviceId: 'carol-phone' } as Presence]],
    ['dave', 'unavailable'],
    ['erin', []],
  ])
  const asked: string[] = []
  const offline: string[] = []
  let ownChanges = 0
  const sweep = new Sweep({
    own: new OwnStatus({ awayAfterMs, chosen: () => 'online' }, now),
    store: {
      contacts: () => [...presence].map(([username, p]) => ({ username, presence: p }) as never),
      setPresence: (username: string, p: string) => {
        const changed = presence.get(username) !== p
        presence.set(username, p)
        return changed
      },
    },
    devicesOf: (u) => {
      asked.push(u)
      const d = listed.get(u)
      return d === 'unavailable' ? Promise.reject(new Error('unavailable')) : Promise.resolve(d ?? [])
    },
    ownStatusChanged: () => {
      ownChanges++
      return Promise.resolve()
    },
    contactOffline: (u) => offline.push(u),
    log: silentLogger(),
    now: () => now,
  })
  return {
    sweep,
    presence,
    asked,
    offline,
    ownChanges: () => ownChanges,
    advance: (ms: number) => (now += ms),
  }
}

describe('Sweep', () => {
  it('marks offline a contact none of whose devices is listed, never one the directory could not answer for', async () => {
    const w = world()
    await w.sweep.sweep()
    expect(w.offline).toEqual(['bob'])
    expect(w.presence.get('bob')).toBe('offline')
    expect(w.presence.get('dave')).toBe('away')
    // Contacts already offline are not looked up.
    expect(w.asked).not.toContain('erin')
  })

  it('looks contacts up at most every 30 s, however often it runs', async () => {
    const w = world()
    await w.sweep.sweep()
    const first = w.asked.length
    w.presence.set('bob', 'online')
    w.advance(CONTACT_SWEEP_MS - 1)
    await w.sweep.sweep()
    expect(w.asked.length).toBe(first)
    w.advance(1)
    await w.sweep.sweep()
    expect(w.offline).toEqual(['bob', 'bob'])
  })

  it('turns idle into away once, on time', async () => {
    const w = world(60_000)
    w.advance(59_999)
    await w.sweep.sweep()
    expect(w.ownChanges()).toBe(0)
    w.advance(1)
    await w.sweep.sweep()
    w.advance(1_000)
    await w.sweep.sweep()
    expect(w.ownChanges()).toBe(1)
  })

  it('runs often enough to turn away on time, and at least every 30 s', () => {
    expect(sweepEvery(60_000)).toBe(15_000)
    expect(sweepEvery(0)).toBe(CONTACT_SWEEP_MS)
    expect(sweepEvery(10 * 60_000)).toBe(CONTACT_SWEEP_MS)
  })
})
