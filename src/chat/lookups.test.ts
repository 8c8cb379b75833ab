import { describe, expect, it } from 'vitest'
import type { Presence } from '../trust/presence.js'
import { CONFIRM_MS, DeviceLookups, LOOKUP_CACHE_MS, LOOKUP_STALE_MS, RECENTLY_LISTED_MS } from './lookups.js'

const device = (username: string, deviceId: string) => ({ username, deviceId }) as Presence

/** A directory that answers from `online` and counts the lookups; virtual time for the caches. */
function setup(max?: number) {
  const clock = { t: 1_000, now: () => clock.t }
  const online = new Map<string, Presence[]>([
    ['alice', [device('alice', 'phone')]],
    ['bob', [device('bob', 'laptop')]],
  ])
  const asked: string[] = []
  const lookups = new DeviceLookups(
    (u) => {
      asked.push(u)
      return Promise.resolve(online.get(u) ?? [])
    },
    { clock, max },
  )
  return { clock, online, asked, lookups }
}

describe('DeviceLookups', () => {
  it('answers from memory for 3 s, then asks the directory again', async () => {
    const { clock, asked, lookups } = setup()
    await lookups.devicesOf('alice')
    clock.t += LOOKUP_CACHE_MS
    await lookups.devicesOf('alice')
    expect(asked).toEqual(['alice'])
    clock.t += 1
    await lookups.devicesOf('alice')
    expect(asked).toEqual(['alice', 'alice'])
  })

  it('gives an answer 3-5 s old at once while the fresh lookup runs, then the fresh one', async () => {
    const clock = { t: 1_000, now: () => clock.t }
    const pending: Array<(d: Presence[]) => void> = []
    const lookups = new DeviceLookups(
      () =>
        pending.length === 0 && clock.t === 1_000
          ? Promise.resolve([device('alice', 'phone')])
          : new Promise<Presence[]>((resolve) => pending.push(resolve)),
      { clock },
    )
    // Whether the answer is there now, or the caller would wait for the directory.
    const now = (p: Promise<Presence[]>) => Promise.race([p, Promise.resolve('waits for the directory')])
    await lookups.devicesOf('alice')
    clock.t += LOOKUP_CACHE_MS + 1
    expect(await now(lookups.devicesOf('alice'))).toEqual([device('alice', 'phone')])
    expect(await now(lookups.devicesOf('alice'))).toEqual([device('alice', 'phone')])
    expect(pending).toHaveLength(1)

    pending[0]?.([device('alice', 'tablet')])
    await Promise.resolve()
    expect(await now(lookups.devicesOf('alice'))).toEqual([device('alice', 'tablet')])
    expect(pending).toHaveLength(1)

    // Too old to give while asking: the caller waits for the directory.
    clock.t += LOOKUP_STALE_MS + 1
    expect(await now(lookups.devicesOf('alice'))).toBe('waits for the directory')
    expect(pending).toHaveLength(2)
  })

  it('confirms with an answer under a second old: a device that came online since is listed', async () => {
    const { clock, online, asked, lookups } = setup()
    await lookups.devicesOf('alice')
    clock.t += CONFIRM_MS
    expect(await lookups.confirm('alice')).toEqual([device('alice', 'phone')])
    expect(asked).toEqual(['alice'])
    // Her tablet came online: the cache (under 3 s old) does not know it, a confirmation does.
    online.set('alice', [device('alice', 'phone'), device('alice', 'tablet')])
    clock.t += 1
    expect(await lookups.devicesOf('alice')).toEqual([device('alice', 'phone')])
    expect(await lookups.confirm('alice')).toEqual([device('alice', 'phone'), device('alice', 'tablet')])
    expect(asked).toEqual(['alice', 'alice'])
    // The fresh answer replaced the cached one, and a second confirmation shares it.
    await Promise.resolve()
    expect(await lookups.devicesOf('alice')).toHaveLength(2)
    expect(await lookups.confirm('alice')).toHaveLength(2)
    expect(asked).toEqual(['alice', 'alice'])
  })

  it('confirms with the refresh already running, not a second lookup', async () => {
    const clock = { t: 1_000, now: () => clock.t }
    const pending: Array<(d: Presence[]) => void> = []
    let asked = 0
    const lookups = new DeviceLookups(
      () => {
        asked++
        return asked === 1
          ? Promise.resolve([device('alice', 'phone')])
          : new Promise<Presence[]>((resolve) => pending.push(resolve))
      },
      { clock },
    )
    await lookups.devicesOf('alice')
    clock.t += LOOKUP_CACHE_MS + 1
    expect(await lookups.devicesOf('alice')).toEqual([device('alice', 'phone')])
    const confirmed = lookups.confirm('alice')
    expect(asked).toBe(2)
    pending[0]?.([device('alice', 'tablet')])
    expect(await confirmed).toEqual([device('alice', 'tablet')])
  })

  it('never keeps "nobody online": the next event looks again', async () => {
    const { asked, lookups } = setup()
    expect(await lookups.devicesOf('carol')).toEqual([])
    await lookups.devicesOf('carol')
    expect(asked).toEqual(['carol', 'carol'])
  })

  it('drops a cached answer when an unlisted device of the user speaks, or a listed one is stale', async () => {
    const { asked, lookups } = setup()
    await lookups.devicesOf('alice')
    lookups.heardFrom('alice', 'phone')
    await lookups.devicesOf('alice')
    lookups.heardFrom('alice', 'tablet')
    await lookups.devicesOf('alice')
    lookups.stale('alice')
    await lookups.devicesOf('alice')
    expect(asked).toEqual(['alice', 'alice', 'alice'])
  })

  it('keeps the last devices listed a minute for call signals, and forgets them when nobody is online', async () => {
    const { clock, online, lookups } = setup()
    await lookups.devicesOf('alice')
    clock.t += RECENTLY_LISTED_MS
    expect(lookups.recentlyListed('alice')).toEqual([device('alice', 'phone')])
    clock.t += 1
    expect(lookups.recentlyListed('alice')).toEqual([])

    await lookups.devicesOf('bob')
    online.delete('bob')
    clock.t += LOOKUP_CACHE_MS + 1
    await lookups.devicesOf('bob')
    expect(lookups.recentlyListed('bob')).toEqual([])
  })

  it('counts a device a call signal came from as listed for a minute, without a lookup', async () => {
    const { clock, asked, lookups } = setup()
    lookups.signalFrom('carol', 'desk')
    expect(lookups.recentlyListed('carol')).toEqual([{ username: 'carol', deviceId: 'desk', addrs: [] }])
    // Beside a listing, once: the listed record (with its addresses) is the one kept.
    await lookups.devicesOf('alice')
    lookups.signalFrom('alice', 'phone')
    lookups.signalFrom('alice', 'tablet')
    expect(lookups.recentlyListed('alice').map((d) => d.deviceId)).toEqual(['phone', 'tablet'])
    expect(asked).toEqual(['alice'])
    clock.t += RECENTLY_LISTED_MS + 1
    expect(lookups.recentlyListed('carol')).toEqual([])
    expect(lookups.recentlyListed('alice')).toEqual([])
  })

  it('remembers at most max users, the least recently used going first', async () => {
    const { asked, online, lookups } = setup(2)
    online.set('carol', [device('carol', 'desk')])
    for (const u of ['alice', 'bob', 'carol']) await lookups.devicesOf(u)
    expect(lookups.recentlyListed('alice')).toEqual([])
    expect(lookups.recentlyListed('carol')).toEqual([device('carol', 'desk')])
    await lookups.devicesOf('alice')
    expect(asked).toEqual(['alice', 'bob', 'carol', 'alice'])
  })
})
