/**
 * The offline service in-process (offline-net.fixtures.ts): several
 * supernodes whose requests to each other go straight to the other's handler.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { hexId } from '../offline/types.js'
import { OfflineKind, OfflineResult } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { OfflineNet, req } from './offline-net.fixtures.js'

let net: OfflineNet
let BOB_PHONE: string
let ALICE_PHONE: string

beforeEach(async () => {
  net = await OfflineNet.create()
  BOB_PHONE = net.bob.deviceId
  ALICE_PHONE = net.alice.deviceId
})

afterEach(() => net.stop())

const start = (n: number, opts?: Parameters<OfflineNet['start']>[1]) => net.start(n, opts)
const sealed = (recipient: string, devices?: string[]) => net.sealed(recipient, devices)
const call = (...a: Parameters<OfflineNet['call']>) => net.call(...a)
const fetchAll = (via: string) => net.fetchAll(via)
const replicasOfBob = () => net.replicasOf('bob')
const nonReplica = () => net.members.map((m) => m.peerId).find((p) => !replicasOfBob().includes(p))!

describe('deposit, fetch, ack', () => {
  it('stores on all three replicas, stamps sender and time, serves the device and forgets after ack', async () => {
    start(5)
    const items = Array.from({ length: 100 }, () => sealed('bob', [BOB_PHONE, '12D3KooWboblaptop']))
    for (let i = 0; i < items.length; i += 64) {
      const res = await call(
        nonReplica(),
        ALICE_PHONE,
        req(OfflineKind.Deposit, { items: items.slice(i, i + 64) }),
      )
      expect(res.result).toBe(OfflineResult.Ok)
    }
    for (const peer of replicasOfBob()) expect(net.stores.get(peer)!.count).toBe(100)
    expect(net.stores.get(nonReplica())!.count).toBe(0)

    const got = await fetchAll(nonReplica())
    expect(got.map((i) => hexId(i.id)).sort()).toEqual(items.map((i) => hexId(i.id)).sort())
    for (const item of got) {
      expect(item.sender).toBe('alice')
      expect(item.storedAt).toBeGreaterThan(0n)
      expect(item.copies.map((c) => c.deviceId)).toEqual([BOB_PHONE])
    }
    const original = items.find((i) => hexId(i.id) === hexId(got[0]!.id))!
    expect(got[0]!.ciphertext).toEqual(original.ciphertext)

    const ack = await net.ack(
      nonReplica(),
      got.map((i) => i.id),
    )
    expect(ack.result).toBe(OfflineResult.Ok)
    expect(await fetchAll(nonReplica())).toEqual([])
    // The laptop's copies remain until the laptop acknowledges.
    for (const peer of replicasOfBob()) expect(net.stores.get(peer)!.count).toBe(100)
  })

  it('refuses devices not attached, other users’ items, and supernode kinds from non-members', async () => {
    start(4)
    const stranger = await call('sn-0', '12D3KooWstranger', req(OfflineKind.Fetch))
    expect([stranger.result, stranger.code]).toEqual([OfflineResult.Refused, ErrorCode.Unauthorized])
    const other = await call('sn-0', BOB_PHONE, req(OfflineKind.Fetch, { recipient: 'alice' }))
    expect([other.result, other.code]).toEqual([OfflineResult.Refused, ErrorCode.Unauthorized])
    const notMine = await call('sn-0', BOB_PHONE, req(OfflineKind.Fetch, { deviceId: ALICE_PHONE }))
    expect(notMine.code).toBe(ErrorCode.Unauthorized)
    const take = await call(
      'sn-0',
      BOB_PHONE,
      req(OfflineKind.Take, { recipient: 'alice', deviceId: ALICE_PHONE }),
    )
    expect(take.code).toBe(ErrorCode.Unauthorized)
    const store = await call('sn-0', '12D3KooWstranger', req(OfflineKind.Store, { items: [sealed('bob')] }))
    expect(store.code).toBe(ErrorCode.Unauthorized)
  })

  it('answers garbage with a refusal, never a crash', async () => {
    start(3)
    const res = await call('sn-0', BOB_PHONE, new Uint8Array([0xff, 0xff, 0xff]))
    expect([res.result, res.code]).toEqual([OfflineResult.Refused, ErrorCode.Malformed])
  })

  it('refuses past a quota with quota_exceeded', async () => {
    start(4, { store: { quotas: { senderItems: 3 } } })
    const first = await call(
      'sn-0',
      ALICE_PHONE,
      req(OfflineKind.Deposit, { items: [1, 2, 3].map(() => sealed('bob')) }),
    )
    expect(first.result).toBe(OfflineResult.Ok)
    const over = await call('sn-0', ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('carol')] }))
    // carol's replicas may differ from bob's: only those that hold three of alice's items are full.
    const full = net.replicasOf('carol').every((p) => replicasOfBob().includes(p))
    if (full) expect([over.result, over.code]).toEqual([OfflineResult.Refused, ErrorCode.QuotaExceeded])
    const again = await call('sn-0', ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('bob')] }))
    expect([again.result, again.code]).toEqual([OfflineResult.Refused, ErrorCode.QuotaExceeded])
  })
})

describe('failures', () => {
  it('a dead and a frozen replica do not keep a device from its items', async () => {
    start(5)
    const items = [sealed('bob'), sealed('bob')]
    expect((await call(nonReplica(), ALICE_PHONE, req(OfflineKind.Deposit, { items }))).result).toBe(
      OfflineResult.Ok,
    )
    const [r0, r1] = replicasOfBob()
    net.dead.add(r0!)
    net.gate = { peers: new Set([r1!]), open: new Promise(() => undefined) }
    const got = await fetchAll(nonReplica())
    expect(got.map((i) => hexId(i.id)).sort()).toEqual(items.map((i) => hexId(i.id)).sort())
  })

  it('a replica that missed a confirmed deposit gets its items without a membership change', async () => {
    start(5)
    const missed = replicasOfBob()[2]!
    net.dead.add(missed)
    const items = [sealed('bob'), sealed('bob')]
    expect((await call(nonReplica(), ALICE_PHONE, req(OfflineKind.Deposit, { items }))).result).toBe(
      OfflineResult.Ok,
    )
    expect(net.stores.get(missed)!.count).toBe(0)
    // Back, with the same members: nothing plans a repair, so only the deposit path can fill it.
    net.dead.delete(missed)
    await vi.waitFor(() => expect(net.stores.get(missed)!.count).toBe(2), { timeout: 10_000, interval: 50 })
    for (const peer of replicasOfBob()) expect(net.stores.get(peer)!.count).toBe(2)
  })

  it('busy with try_later and a retry time when every replica is down', async () => {
    start(4)
    for (const p of replicasOfBob()) net.dead.add(p)
    const via = nonReplica()
    const res = await call(via, ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('bob')] }))
    expect([res.result, res.code]).toEqual([OfflineResult.Busy, ErrorCode.TryLater])
    expect(res.retryAfterMs).toBeGreaterThan(0)
  })

  it('sheds past the limit at once instead of queueing, then serves again', async () => {
    start(4, { limit: 3 })
    let open = (): void => undefined
    net.gate = { peers: new Set(replicasOfBob()), open: new Promise((resolve) => (open = resolve)) }
    const via = nonReplica()
    const held = [1, 2, 3].map(() =>
      call(via, ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('bob')] })),
    )
    const shed = await call(via, ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('bob')] }))
    expect([shed.result, shed.code]).toEqual([OfflineResult.Busy, ErrorCode.TryLater])
    expect(shed.retryAfterMs).toBeGreaterThan(0)
    expect(net.services.get(via)!.shedder.shed).toBe(1)
    open()
    for (const r of await Promise.all(held)) expect(r.result).toBe(OfflineResult.Ok)
    net.gate = undefined
    const after = await call(via, ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('bob')] }))
    expect(after.result).toBe(OfflineResult.Ok)
  })
})

describe('repair', () => {
  it('two of three replicas killed: the survivor pushes to the new ones, which then serve everything', async () => {
    start(7)
    const items = Array.from({ length: 70 }, () => sealed('bob'))
    for (let i = 0; i < items.length; i += 64) {
      const res = await call(
        nonReplica(),
        ALICE_PHONE,
        req(OfflineKind.Deposit, { items: items.slice(i, i + 64) }),
      )
      expect(res.result).toBe(OfflineResult.Ok)
    }
    const before = [...net.members]
    const [survivor, ...killed] = replicasOfBob()
    for (const k of killed) net.dead.add(k)
    net.members = before.filter((m) => !killed.includes(m.peerId))
    for (const m of net.members) await net.services.get(m.peerId)!.repair.run(before, net.members)
    const fresh = replicasOfBob().filter((p) => p !== survivor)
    for (const p of fresh) expect(net.stores.get(p)!.count).toBe(70)

    // The old holder is now gone too: the new placement alone serves every item, once.
    net.dead.add(survivor!)
    net.members = net.members.filter((m) => m.peerId !== survivor)
    const via = net.members.map((m) => m.peerId).find((p) => p !== survivor)!
    const got = await fetchAll(via)
    expect(got.map((i) => hexId(i.id)).sort()).toEqual(items.map((i) => hexId(i.id)).sort())
  })
})

describe('fan-out', () => {
  const recipients = Array.from({ length: 16 }, (_, i) => `user${i + 1}`)

  it('sends each replica one store request for a deposit to many recipients, not one per recipient', async () => {
    start(6)
    const via = 'sn-0'
    const items = Array.from({ length: 64 }, (_, i) => sealed(recipients[i % 16]!))
    const res = await call(via, ALICE_PHONE, req(OfflineKind.Deposit, { items }))
    expect(res.result).toBe(OfflineResult.Ok)
    const stores = net.sent.filter((s) => s.from === via && s.req.kind === OfflineKind.Store)
    const peers = [...new Set(recipients.flatMap((r) => net.replicasOf(r)))].filter((p) => p !== via)
    expect(stores.map((s) => s.to).sort()).toEqual(peers.sort())
    for (const item of items)
      for (const peer of net.replicasOf(item.recipient))
        expect(net.stores.get(peer)!.has(item.recipient, item.id)).toBe(true)
  })

  it('a replica that refuses one recipient’s items still stores the others’', async () => {
    start(4, { store: { quotas: { recipientItems: 1 } } })
    const shared = net.replicasOf('bob').filter((p) => net.replicasOf('carol').includes(p))
    expect(shared.length).toBeGreaterThan(0)
    const first = await call('sn-0', ALICE_PHONE, req(OfflineKind.Deposit, { items: [sealed('carol')] }))
    expect(first.result).toBe(OfflineResult.Ok)
    const item = sealed('bob')
    const res = await call('sn-0', ALICE_PHONE, req(OfflineKind.Deposit, { items: [item, sealed('carol')] }))
    expect([res.result, res.code]).toEqual([OfflineResult.Refused, ErrorCode.QuotaExceeded])
    for (const peer of net.replicasOf('bob')) expect(net.stores.get(peer)!.has('bob', item.id)).toBe(true)
  })
})
