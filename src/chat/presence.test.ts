/**
 * Presence between devices that learn of each other at different moments, on
 * real SQLite stores (the pushes are direct calls; the network is not the
 * point). bob accepts alice on his first device; his second learns it from
 * the first a moment later. alice's presence, pushed to both at once, can
 * reach the second before it knows alice is a contact, which drops it. When
 * the second then tells alice its own presence, alice must answer, or bob's
 * second device shows alice offline until her status changes (it happened in
 * the browser tests' setup under load: "bob-2 never saw alice online").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Presence } from '../trust/presence.js'
import { ChatFixtures, deliver, type Dev } from './hostile.fixtures.js'
import { PresenceBroadcast } from './presence.js'

let fx: ChatFixtures
afterAll(() => fx.remove())
beforeAll(async () => {
  fx = await ChatFixtures.create()
})

interface Peer {
  dev: Dev
  presence: PresenceBroadcast
}

/** Devices by id; a push is the receiver taking the events, and hearing the presence it applied. */
function network() {
  const peers = new Map<string, Peer>()
  const take = (deviceId: string, events: Uint8Array[]) => {
    const to = peers.get(deviceId)!
    const { committed, refused, applied } = to.dev.chat.receive(events)
    for (const e of applied) to.presence.heard(e)
    return Promise.resolve({ committed, refused })
  }
  const join = (dev: Dev): Peer => {
    const { username, deviceId } = dev.chat.me
    const presence = new PresenceBroadcast({
      me: { username, deviceId },
      chat: dev.chat,
      store: dev.chat.store,
      status: () => 'online',
      devicesOf: (u) =>
        Promise.resolve(
          [...peers.values()]
            .filter((p) => p.dev.chat.me.username === u)
            .map((p) => ({ username: u, deviceId: p.dev.chat.me.deviceId }) as Presence),
        ),
      push: (d, events) => take(d.deviceId, events),
      pushTo: (id, events) => take(id, events),
    })
    const peer = { dev, presence }
    peers.set(deviceId, peer)
    return peer
  }
  return { join }
}

describe('presence', () => {
  it("bob's second device sees alice online though her presence reached it before it knew her", async () => {
    const net = network()
    const alice = net.join(await fx.device('alice'))
    const bob = net.join(await fx.device('bob'))
    const bob2 = net.join(await fx.device('bob', 'bob2'))
    alice.dev.chat.addContact('bob', 'hi')
    deliver(alice.dev, bob.dev, 'bob')
    bob.dev.chat.accept('alice')
    deliver(bob.dev, alice.dev, 'alice')
    // alice hears she was accepted and tells bob's devices, his second one before it learned of it.
    await alice.presence.to('bob')
    expect(bob.dev.chat.store.contact('alice')?.presence).toBe('online')
    expect(bob2.dev.chat.store.contact('alice')).toBeUndefined()
    // bob's second device learns of alice from his first, and tells her its presence (service.ts onNotice).
    deliver(bob.dev, bob2.dev, 'alice')
    expect(bob2.dev.chat.store.contact('alice')?.state).toBe('accepted')
    await bob2.presence.to('alice')
    expect(bob2.dev.chat.store.contact('alice')?.presence).toBe('online')
  })

  it('an answer is not answered: two devices exchange their presence once each', async () => {
    const net = network()
    const alice = net.join(await fx.device('alice', 'alice-2'))
    const bob = net.join(await fx.device('bob', 'bob-3'))
    alice.dev.chat.addContact('bob', 'hi')
    deliver(alice.dev, bob.dev, 'bob')
    bob.dev.chat.accept('alice')
    deliver(bob.dev, alice.dev, 'alice')
    const heard = { alice: 0, bob: 0 }
    const count = (p: Peer, who: 'alice' | 'bob') => {
      const heardBefore = p.presence.heard.bind(p.presence)
      p.presence.heard = (e) => {
        heard[who]++
        heardBefore(e)
      }
    }
    count(alice, 'alice')
    count(bob, 'bob')
    await alice.presence.to('bob')
    await new Promise((r) => setTimeout(r, 10))
    expect(heard).toEqual({ alice: 1, bob: 1 })
    expect(alice.dev.chat.store.contact('bob')?.presence).toBe('online')
    expect(bob.dev.chat.store.contact('alice')?.presence).toBe('online')
  })
})
