/**
 * A rogue supernode among the offline service's replicas (issue 10, H3), in
 * process: a member of the mesh that sends store, take and drop for bob
 * straight to bob's replicas. Each is refused with its stable code, bob's
 * items stay, and bob still fetches every one. Also: a grant a rogue saw in
 * passing does no more than what its device asked; repair still carries
 * signed items whose copies were partly acknowledged; an old replica is asked
 * again without the new fields.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AccessKind, grantOf, signedBy } from '../offline/auth.fixtures.js'
import { hexId } from '../offline/types.js'
import { plain } from '../wire/bytes.js'
import { OfflineKind, OfflineResult, type OfflineRequest, type OfflineResponse } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { emptyRequest, ok, refused } from './offline-answers.js'
import { OfflineNet, req, rnd } from './offline-net.fixtures.js'
import { withOldReplicas } from './offline-replicas.js'

let net: OfflineNet

beforeEach(async () => {
  net = await OfflineNet.create()
})

afterEach(() => net.stop())

/** Five supernodes; bob has two items waiting, deposited by alice through a non-replica. */
async function withBobsItems() {
  net.start(6)
  const replicas = net.replicasOf('bob')
  const rogue = net.outsider('bob')
  const via = net.members.map((m) => m.peerId).find((p) => !replicas.includes(p) && p !== rogue)!
  const items = [net.sealed('bob'), net.sealed('bob')]
  const res = await net.call(via, net.alice.deviceId, req(OfflineKind.Deposit, { items }))
  expect(res.result).toBe(OfflineResult.Ok)
  return { replicas, rogue, via, items }
}

const refusal = (res: OfflineResponse) => [res.result, res.code]

describe('a rogue supernode against bob’s replicas', () => {
  it('cannot take, drop or store for bob: refused with stable codes; bob keeps and fetches every item', async () => {
    const { replicas, rogue, via, items } = await withBobsItems()
    const bobDevice = net.bob.deviceId
    const ids = items.map((i) => i.id)
    const at = (r: string, q: OfflineRequest) => net.call(r, rogue, q)
    for (const r of replicas) {
      const take = { recipient: 'bob', deviceId: bobDevice }
      expect(refusal(await at(r, req(OfflineKind.Take, take)))).toEqual([
        OfflineResult.Refused,
        ErrorCode.AccessRequired,
      ])
      expect(refusal(await at(r, req(OfflineKind.Drop, { ...take, ids })))).toEqual([
        OfflineResult.Refused,
        ErrorCode.AccessRequired,
      ])
      // Its own device's grants are for its own copies, never bob's.
      const mallory = await net.keys.device('mallory')
      const own = grantOf(mallory, AccessKind.Drop, ids)
      expect(refusal(await at(r, req(OfflineKind.Drop, { ...take, ids, access: own })))).toEqual([
        OfflineResult.Refused,
        ErrorCode.AccessDenied,
      ])
      // Filling bob's quota: unsigned items, or items claiming to be alice's.
      const unsigned = Array.from({ length: 10 }, () => net.sealed('bob', [bobDevice], null))
      expect(refusal(await at(r, req(OfflineKind.Store, { items: unsigned })))).toEqual([
        OfflineResult.Refused,
        ErrorCode.DepositUnsigned,
      ])
      const forged = { ...net.sealed('bob'), ciphertext: rnd(200), sender: 'alice' }
      expect(refusal(await at(r, req(OfflineKind.Store, { items: [forged] })))).toEqual([
        OfflineResult.Refused,
        ErrorCode.DepositInvalid,
      ])
    }
    // A supernode that is no replica of carol takes no store for carol, signed or not.
    const notCarols = net.outsider('carol')
    const forCarol = net.sealed('carol')
    expect(refusal(await net.call(notCarols, rogue, req(OfflineKind.Store, { items: [forCarol] })))).toEqual([
      OfflineResult.Refused,
      ErrorCode.NotReplica,
    ])

    for (const r of replicas) expect(net.stores.get(r)!.count).toBe(2)
    const got = await net.fetchAll(via)
    expect(got.map((i) => hexId(i.id)).sort()).toEqual(ids.map(hexId).sort())
    for (const item of got) expect(item.sender).toBe('alice')
  })

  it('items a rogue signs with its own device count as its own: sender is its user, whatever it claims', async () => {
    const { replicas } = await withBobsItems()
    const mallory = await net.keys.device('mallory')
    const item = {
      ...signedBy(net.sealed('bob', undefined, null), mallory),
      sender: 'alice',
      storedAt: BigInt(Date.now()),
    }
    const res = await net.call(replicas[0]!, net.outsider('bob'), req(OfflineKind.Store, { items: [item] }))
    expect(res.result).toBe(OfflineResult.Ok)
    const held = net.stores
      .get(replicas[0]!)!
      .all()
      .find((i) => hexId(i.id) === hexId(item.id))
    expect(held?.sender).toBe('mallory')
  })

  it('a grant seen in passing does no more than its device asked', async () => {
    const { replicas, rogue, via } = await withBobsItems()
    await net.fetchAll(via)
    const seen = net.sent.find((s) => s.req.kind === OfflineKind.Take)!.req
    expect(seen.access.byteLength).toBeGreaterThan(0)
    // The take grant cannot drop; a drop grant cannot drop ids bob did not acknowledge.
    const asDrop = { ...seen, kind: OfflineKind.Drop, ids: [rnd(16)] }
    expect(refusal(await net.call(replicas[0]!, rogue, asDrop))).toEqual([
      OfflineResult.Refused,
      ErrorCode.AccessDenied,
    ])
    const one = rnd(16)
    await net.ack(via, [one])
    const drop = net.sent.find((s) => s.req.kind === OfflineKind.Drop)!.req
    const wider = {
      ...drop,
      ids: [
        one,
        ...net.stores
          .get(replicas[0]!)!
          .all()
          .map((i) => plain(i.id)),
      ],
    }
    expect(refusal(await net.call(replicas[0]!, rogue, wider))).toEqual([
      OfflineResult.Refused,
      ErrorCode.AccessDenied,
    ])
    expect(net.stores.get(replicas[0]!)!.count).toBe(2)
  })

  it('a device’s fetch or ack without its grant is refused at its own supernode', async () => {
    const { via } = await withBobsItems()
    const fetch = await net.call(via, net.bob.deviceId, req(OfflineKind.Fetch))
    expect(refusal(fetch)).toEqual([OfflineResult.Refused, ErrorCode.AccessRequired])
    const alices = grantOf(net.alice, AccessKind.Take)
    const borrowed = await net.call(via, net.bob.deviceId, req(OfflineKind.Fetch, { access: alices }))
    expect(refusal(borrowed)).toEqual([OfflineResult.Refused, ErrorCode.AccessDenied])
    const unsigned = await net.call(
      via,
      net.alice.deviceId,
      req(OfflineKind.Deposit, { items: [net.sealed('bob', undefined, null)] }),
    )
    expect(refusal(unsigned)).toEqual([OfflineResult.Refused, ErrorCode.DepositUnsigned])
    // Signed by bob, deposited by alice's device: a device deposits only under its own name.
    const bobs = net.sealed('carol', undefined, net.bob)
    const other = await net.call(via, net.alice.deviceId, req(OfflineKind.Deposit, { items: [bobs] }))
    expect(refusal(other)).toEqual([OfflineResult.Refused, ErrorCode.DepositInvalid])
  })
})

describe('repair and upgrades', () => {
  it('repair carries signed items whose copies were partly acknowledged', async () => {
    net.start(7)
    const laptop = await net.keys.device('bob')
    const items = [1, 2, 3].map(() => net.sealed('bob', [net.bob.deviceId, laptop.deviceId]))
    const before = [...net.members]
    const [survivor, ...killed] = net.replicasOf('bob')
    const via = net.outsider('bob')
    expect((await net.call(via, net.alice.deviceId, req(OfflineKind.Deposit, { items }))).result).toBe(
      OfflineResult.Ok,
    )
    expect(
      (
        await net.ack(
          via,
          items.map((i) => i.id),
        )
      ).result,
    ).toBe(OfflineResult.Ok)
    for (const k of killed) net.dead.add(k)
    net.members = before.filter((m) => !killed.includes(m.peerId))
    for (const m of net.members) await net.services.get(m.peerId)!.repair.run(before, net.members)
    for (const p of net.replicasOf('bob').filter((p) => p !== survivor)) {
      const held = net.stores.get(p)!.all()
      expect(held).toHaveLength(3)
      for (const i of held)
        expect([i.sender, i.copies.map((c) => c.deviceId)]).toEqual(['alice', [laptop.deviceId]])
    }
  })

  it('a replica older than signed fields (malformed) is asked again without them; a new one is not', async () => {
    const asked: OfflineRequest[] = []
    const old = withOldReplicas((_peer, r) => {
      asked.push(r)
      return Promise.resolve(r.access.byteLength > 0 ? refused(ErrorCode.Malformed, 'not canonical') : ok())
    })
    const take = { ...emptyRequest(OfflineKind.Take), recipient: 'bob', deviceId: 'x', access: rnd(100) }
    expect((await old('sn', take, 100)).result).toBe(OfflineResult.Ok)
    expect(asked.map((r) => r.access.byteLength)).toEqual([100, 0])
    asked.length = 0
    const refusing = withOldReplicas((_peer, r) => {
      asked.push(r)
      return Promise.resolve(refused(ErrorCode.AccessDenied, 'no'))
    })
    expect((await refusing('sn', take, 100)).code).toBe(ErrorCode.AccessDenied)
    expect(asked).toHaveLength(1)
  })
})
