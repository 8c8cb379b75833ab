/**
 * M4 on real processes: a flood fills the offline store. Three supernodes
 * (so each is every recipient's replica), each with its store capped small
 * for the test (`--offline-max-bytes 65536`; the default is 1 GiB). Mallory,
 * a real account, deposits 4 KB items for carol until the store refuses with
 * store_full and a retry time. Alice's deposit for bob is then answered the
 * same way: busy, try later (her device keeps the message queued, never
 * lost). Nothing held was evicted: bob and carol fetch every item stored
 * before the cap; once carol has acknowledged hers there is room, and
 * alice's retried deposit reaches bob. No process exited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ack, deposit, fetchAll, OfflineBusyError, OfflineStoreError } from '../../src/chat/offline-client.js'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import type { SealedItem } from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { eventually } from '../support/devnet.js'
import { tempDir } from '../support/process.js'
import { testDevice, type TestDevice } from './caps-devices.js'
import { junkItem } from './rogue.js'

const CAP = 64 * 1024
const FLOOD = 40

const dir = tempDir('parley-caps-offline-')
let net: Devnet
const devices: TestDevice[] = []

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** The error a deposit ended in, or undefined when it was stored. */
async function tryDeposit(d: TestDevice, items: SealedItem[]): Promise<OfflineStoreError | undefined> {
  try {
    await deposit(d.node.node, d.node.supernodeAddrs(), d.me, items)
    return undefined
  } catch (err) {
    if (err instanceof OfflineStoreError) return err
    throw err
  }
}

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 2,
    turn: false,
    fastReattach: true,
    supernodeArgs: ['--offline-max-bytes', String(CAP)],
  })
}, 180_000)

afterAll(async () => {
  for (const d of devices) await d.node.stop().catch(() => undefined)
  await net?.stop()
  dir.remove()
})

describe('a flood against the offline store’s global byte cap', () => {
  it('is shed with store_full and a retry time; nothing held is evicted; honest items arrive once there is room', async () => {
    for (const name of ['alice', 'bob', 'carol', 'mallory']) devices.push(await testDevice(net, name))
    const [alice, bob, carol, mallory] = devices as [TestDevice, TestDevice, TestDevice, TestDevice]
    await eventually(
      () => Promise.resolve(devices.every((d) => d.node.supernodeAddrs().length >= 2) || undefined),
      60_000,
    )
    const forBob = [junkItem('bob', bob.node.peerId, 300), junkItem('bob', bob.node.peerId, 300)]
    expect(await tryDeposit(alice, forBob)).toBeUndefined()

    // Mallory floods carol, one 4 KB item at a time, each under every per-user quota.
    const stored: SealedItem[] = []
    let refusal: OfflineStoreError | undefined
    for (let i = 0; i < FLOOD && refusal === undefined; i++) {
      const item = junkItem('carol', carol.node.peerId, 4000)
      refusal = await tryDeposit(mallory, [item])
      if (refusal === undefined) stored.push(item)
    }
    expect(refusal, `all ${FLOOD} flood items were stored`).toBeInstanceOf(OfflineBusyError)
    expect(refusal!.code).toBe(ErrorCode.StoreFull)
    expect(refusal!.retryAfterMs).toBeGreaterThan(0)
    expect(stored.length).toBeGreaterThan(0)

    // Alice's next item, as large as mallory's: busy, try later, the answer her delivery keeps the message queued on.
    const late = junkItem('bob', bob.node.peerId, 4000)
    const honest = await tryDeposit(alice, [late])
    expect(honest).toBeInstanceOf(OfflineBusyError)
    expect([honest!.code, honest!.retryAfterMs > 0]).toEqual([ErrorCode.StoreFull, true])

    // Nothing held was evicted: each recipient fetches everything stored before the cap.
    const bobGot = await fetchAll(bob.node.node, bob.node.supernodeAddrs(), bob.me)
    expect(bobGot.map((i) => hex(i.id)).sort()).toEqual(forBob.map((i) => hex(i.id)).sort())
    const carolGot = await fetchAll(carol.node.node, carol.node.supernodeAddrs(), carol.me)
    expect(carolGot.map((i) => hex(i.id)).sort()).toEqual(stored.map((i) => hex(i.id)).sort())

    // Carol acknowledges: room again, and alice's retried deposit is stored and reaches bob.
    await ack(
      carol.node.node,
      carol.node.supernodeAddrs(),
      carol.me,
      carolGot.map((i) => i.id),
    )
    expect(await tryDeposit(alice, [late])).toBeUndefined()
    const bobLater = await fetchAll(bob.node.node, bob.node.supernodeAddrs(), bob.me)
    expect(bobLater.map((i) => hex(i.id))).toContain(hex(late.id))

    for (const s of net.supernodes) {
      expect(s.child.process.exitCode, s.name).toBeNull()
      expect(s.child.process.signalCode, s.name).toBeNull()
    }
  }, 180_000)
})
