/**
 * sendSignal, the sans-IO core of a call signal's way out: the devices
 * listed recently get it at once, and the fresh lookups beside it wait until
 * they took it (on two cores the lookups' CPU slowed that push), or until
 * LOOKUPS_AFTER_MS when a listed device does not answer; devices only the
 * lookups list get it then, and the answer counts them all.
 */
import { describe, expect, it } from 'vitest'
import { DeviceLookups } from '../chat/lookups.js'
import type { Presence } from '../trust/presence.js'
import { LOOKUPS_AFTER_MS, sendSignal, type SignalDeps } from './signals.js'

const device = (username: string, deviceId: string) => ({ username, deviceId }) as Presence

/** A hand-driven world: pushes and sleeps settle when the test says; what happened, in order. */
function world(listed: Record<string, Presence[]>, looked: Record<string, Presence[]>) {
  const log: string[] = []
  const pushes = new Map<string, (took: boolean) => void>()
  const sleeps: (() => void)[] = []
  const deps: SignalDeps = {
    deviceId: 'b1',
    username: 'bob',
    sign: () => new Uint8Array([1]),
    recentlyListed: (u) => listed[u] ?? [],
    devicesOf: (u) => {
      log.push(`lookup ${u}`)
      return Promise.resolve(looked[u] ?? [])
    },
    push: (d) => {
      log.push(`push ${d.deviceId}`)
      return new Promise((resolve) => pushes.set(d.deviceId, resolve))
    },
    now: () => 0,
    sleep: (ms) => {
      log.push(`sleep ${ms}`)
      return new Promise((resolve) => sleeps.push(resolve))
    },
  }
  return { deps, log, pushes, sleeps }
}

const settle = () => new Promise((r) => setImmediate(r))

describe('a call signal on its way out', () => {
  it('goes to the devices listed recently before any lookup runs, then to those only the lookups list', async () => {
    const w = world(
      { alice: [device('alice', 'a1')] },
      { alice: [device('alice', 'a1'), device('alice', 'a2')] },
    )
    const sent = sendSignal(w.deps, 'alice', '{"type":"answer"}')
    await settle()
    expect(w.log).toEqual(['push a1', `sleep ${LOOKUPS_AFTER_MS}`])
    w.pushes.get('a1')!(true)
    await settle()
    expect(w.log.slice(2)).toEqual(['lookup alice', 'lookup bob', 'push a2'])
    w.pushes.get('a2')!(true)
    expect((await sent).contact).toBe(2)
  })

  it('looks up after LOOKUPS_AFTER_MS when a listed device does not answer', async () => {
    const w = world({ alice: [device('alice', 'gone')] }, { alice: [device('alice', 'a2')] })
    const sent = sendSignal(w.deps, 'alice', '{"type":"ring"}')
    await settle()
    expect(w.log).not.toContain('lookup alice')
    w.sleeps[0]!()
    await settle()
    expect(w.log).toContain('lookup alice')
    w.pushes.get('a2')!(true)
    w.pushes.get('gone')!(false)
    expect((await sent).contact).toBe(1)
  })

  it('looks up at once when no device is listed', async () => {
    const w = world({}, { alice: [device('alice', 'a1')] })
    const sent = sendSignal(w.deps, 'alice', '{"type":"ring"}')
    await settle()
    expect(w.log).toEqual(['lookup alice', 'lookup bob', 'push a1'])
    w.pushes.get('a1')!(true)
    expect((await sent).contact).toBe(1)
  })

  it('answers the device that rang even when no lookup of the caller can be had', async () => {
    // bob's device has no listing of alice (none within the last minute) and the directory fails.
    const lookups = new DeviceLookups(() => Promise.reject(new Error('not attached to any supernode yet')))
    const w = world({}, {})
    w.deps.recentlyListed = (u) => lookups.recentlyListed(u)
    w.deps.devicesOf = (u) => lookups.devicesOf(u)
    // alice's phone rang bob here.
    lookups.signalFrom('alice', 'a1')
    const sent = sendSignal(w.deps, 'alice', '{"type":"answer"}')
    await settle()
    expect(w.log[0]).toBe('push a1')
    w.pushes.get('a1')!(true)
    expect((await sent).contact).toBe(1)
  })
})
