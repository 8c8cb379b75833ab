/**
 * Call signals reach each device in the order the page sent them, even when
 * the page no longer waits for one to be taken before sending the next: a
 * candidate that overtook its ring would be dropped by the callee.
 */
import { describe, expect, it } from 'vitest'
import type { Listed } from '../chat/lookups.js'
import { OrderedPushes } from './ordered-push.js'

const device = (deviceId: string): Listed => ({ username: 'bob', deviceId, addrs: [] })
const event = (text: string) => new TextEncoder().encode(text)
const text = (events: Uint8Array[]) => events.map((e) => new TextDecoder().decode(e))

/** A device whose pushes answer when the test says; what it took, in order. */
function fakeDevices() {
  const took: string[] = []
  const inFlight: { to: string; events: string[]; answer: (ok: boolean) => void }[] = []
  const push = (d: Listed, events: Uint8Array[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight.push({
        to: d.deviceId,
        events: text(events),
        answer: (ok) => {
          if (!ok) return reject(new Error('push refused'))
          took.push(...text(events).map((t) => `${d.deviceId}:${t}`))
          resolve()
        },
      })
    })
  return { push, took, inFlight }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('ordered signal pushes', () => {
  it('a device takes a ring before the candidates sent after it, which wait and go as one batch', async () => {
    const net = fakeDevices()
    const pushes = new OrderedPushes(net.push)
    const ring = pushes.send(device('b1'), event('ring'))
    const c1 = pushes.send(device('b1'), event('candidate 1'))
    const c2 = pushes.send(device('b1'), event('candidate 2'))
    await settle()
    // Only the ring is on its way; the candidates wait for it.
    expect(net.inFlight.map((p) => p.events)).toEqual([['ring']])
    net.inFlight.shift()!.answer(true)
    expect(await ring).toBe(true)
    await settle()
    expect(net.inFlight.map((p) => p.events)).toEqual([['candidate 1', 'candidate 2']])
    net.inFlight.shift()!.answer(true)
    expect([await c1, await c2]).toEqual([true, true])
    expect(net.took).toEqual(['b1:ring', 'b1:candidate 1', 'b1:candidate 2'])
    expect(pushes.busy).toBe(0)
  })

  it('another device does not wait, and a failed push says so without holding the next one', async () => {
    const net = fakeDevices()
    const failures: string[] = []
    const pushes = new OrderedPushes(net.push, (d, err) =>
      failures.push(`${d.deviceId}: ${(err as Error).message}`),
    )
    const toB1 = pushes.send(device('b1'), event('ring'))
    const toB2 = pushes.send(device('b2'), event('ring'))
    await settle()
    expect(net.inFlight.map((p) => p.to)).toEqual(['b1', 'b2'])
    const next = pushes.send(device('b1'), event('hangup'))
    net.inFlight.shift()!.answer(false)
    expect(await toB1).toBe(false)
    // The log says which device lost a signal, and why.
    expect(failures).toEqual(['b1: push refused'])
    await settle()
    expect(net.inFlight.map((p) => `${p.to}:${p.events.join()}`)).toEqual(['b2:ring', 'b1:hangup'])
    for (const p of net.inFlight.splice(0)) p.answer(true)
    expect([await toB2, await next]).toEqual([true, true])
  })
})
