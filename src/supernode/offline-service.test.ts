/**
 * The offline service in-process: several supernodes, each with its own
 * SQLite store in a temporary folder, whose requests to each other go straight
 * to the other's handler. Dead replicas throw, gated ones wait until released.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { replicasFor, type Placed } from '../directory/placement.js'
import { silentLogger } from '../log/logger.js'
import { OfflineStore, type OfflineStoreOptions } from '../offline/store.js'
import { hexId } from '../offline/types.js'
import { plain } from '../wire/bytes.js'
import {
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResult,
  type OfflineResponse,
  type SealedItem,
} from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { REPLICAS } from './directory-service.js'
import { createSupernodeMetrics } from './metrics.js'
import { OfflineService } from './offline-service.js'

const BOB_PHONE = '12D3KooWbobphone'
const ALICE_PHONE = '12D3KooWalicephone'

interface Net {
  services: Map<string, OfflineService>
  stores: Map<string, OfflineStore>
  members: Placed[]
  dead: Set<string>
  /** While set, requests to these peers wait for it. */
  gate: { peers: Set<string>; open: Promise<void> } | undefined
}

let dir: string
let net: Net

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-offline-svc-'))
})

afterEach(() => {
  for (const s of net.services.values()) s.stop()
  for (const s of net.stores.values()) s.close()
  rmSync(dir, { recursive: true, force: true })
})

function start(n: number, opts: { store?: OfflineStoreOptions; limit?: number } = {}): Net {
  net = { services: new Map(), stores: new Map(), members: [], dead: new Set(), gate: undefined }
  const attached = new Map([
    [BOB_PHONE, 'bob'],
    [ALICE_PHONE, 'alice'],
  ])
  for (let i = 0; i < n; i++) {
    const self = `sn-${i}`
    const store = OfflineStore.open(join(dir, `${self}.sqlite`), opts.store)
    const service = new OfflineService({
      self,
      store,
      isAttached: (peer) => attached.has(peer),
      usernameOf: (peer) => attached.get(peer),
      isMember: (peer) => net.members.some((m) => m.peerId === peer),
      members: () => net.members,
      ask: async (peer, req) => {
        if (net.dead.has(peer)) throw new Error('connection refused')
        if (net.gate?.peers.has(peer) === true) await net.gate.open
        const to = net.services.get(peer)
        if (to === undefined) throw new Error('no such peer')
        return decodeOfflineResponse(await to.answer(OfflineRequest.encode(req), self))
      },
      metrics: createSupernodeMetrics(),
      log: silentLogger(),
      shed: { limit: opts.limit ?? 64 },
      random: () => 0.5,
    })
    net.services.set(self, service)
    net.stores.set(self, store)
    net.members.push({ peerId: self, weight: 1 })
  }
  return net
}

const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

function sealed(recipient: string, devices = [BOB_PHONE], ciphertext = rnd(200)): SealedItem {
  return {
    id: rnd(16),
    recipient,
    sender: '',
    storedAt: 0n,
    nonce: rnd(24),
    ciphertext,
    copies: devices.map((deviceId) => ({ deviceId, ephemeral: rnd(32), wrapped: rnd(72) })),
  }
}

function req(kind: number, over: Partial<OfflineRequest> = {}): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [], ...over }
}

async function call(via: string, from: string, r: OfflineRequest | Uint8Array): Promise<OfflineResponse> {
  const bytes = r instanceof Uint8Array ? r : OfflineRequest.encode(r)
  return decodeOfflineResponse(await net.services.get(via)!.answer(bytes, from))
}

/** Fetches (paging with the exclude list) until the supernode says there is no more. */
async function fetchAll(via: string, from = BOB_PHONE): Promise<SealedItem[]> {
  const out: SealedItem[] = []
  for (;;) {
    const res = await call(via, from, req(OfflineKind.Fetch, { ids: out.map((i) => i.id) }))
    expect(res.result).toBe(OfflineResult.Ok)
    out.push(...res.items)
    if (!res.more) return out
  }
}

const replicasOfBob = () => replicasFor('bob', net.members, REPLICAS)
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

    const ack = await call(nonReplica(), BOB_PHONE, req(OfflineKind.Ack, { ids: got.map((i) => i.id) }))
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
    const full = replicasFor('carol', net.members, REPLICAS).every((p) => replicasOfBob().includes(p))
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
