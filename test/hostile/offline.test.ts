/**
 * H3 on real processes: a rogue supernode against a victim's offline items.
 * Before the fix, any member of the mesh could Take (read the metadata of),
 * Drop (delete, for good) and Store (fill the quota of) any recipient's items
 * on that recipient's replicas. Here the rogue is a granted account gone bad:
 * a supernode run in this process from that account's key and certificate,
 * a live member of a 5-supernode devnet, whose host sends take, drop and store
 * for the victim straight to the victim's three replicas. Each is refused
 * with its stable code; the victim's items all stay; the victim's device then
 * fetches every one; the victim's quota took no rogue item; no process exited.
 */
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ack, deposit, fetchAll, type OfflineIdentity } from '../../src/chat/offline-client.js'
import { signerOf } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, startDevnet, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import { replicasFor } from '../../src/placement/placement.js'
import { createLogger } from '../../src/log/logger.js'
import { request } from '../../src/net/rpc.js'
import { AccessKind, signAccess } from '../../src/offline/access.js'
import { signDeposit } from '../../src/offline/deposit.js'
import { startSupernode, type RunningSupernode } from '../../src/supernode/node.js'
import { Deadlines, Protocols } from '../../src/supernode/protocols.js'
import { plain } from '../../src/wire/bytes.js'
import {
  ChatLimits,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  type OfflineResponse,
  OfflineResult,
  type SealedItem,
} from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { eventually, metric } from '../support/devnet.js'
import { devnetPlacement } from '../support/placement.js'
import { tempDir } from '../support/process.js'
import { grantedAccount, junkItem } from './rogue.js'

const ITEMS = 20
const R = 3
const DAY = 86_400_000

interface Status {
  peerId: string
  addrs: string[]
  members: Array<{ peerId: string; state: string }>
}

const dir = tempDir('parley-hostile-offline-')
let net: Devnet
let rogue: RunningSupernode | undefined
const devices: DeviceNode[] = []

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const statusOf = async (sn: DevnetNode): Promise<Status> =>
  (await (await fetch(`${sn.httpUrl}/v1/status`, { signal: AbortSignal.timeout(5000) })).json()) as Status

async function account(username: string, profile: string): Promise<Profile> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD)
  const p = new Profile(net.home, profile)
  await signIn({
    profile: p,
    authority: net.authorityUrl,
    username,
    password: DEMO_PASSWORD,
    deviceName: profile,
  })
  return p
}

/** A device in this process, signed in and attached, with what it signs its offline requests with. */
async function device(username: string): Promise<{ node: DeviceNode; me: OfflineIdentity }> {
  const profile = await account(username, username)
  const log = createLogger('hostile-offline', { file: join(net.logDir, 'test-devices.log'), level: 'warn' })
  const node = await DeviceNode.start({
    profile,
    host: '127.0.0.1',
    log: log.child({ device: username }),
    fastReattach: true,
  })
  devices.push(node)
  const me = {
    username,
    certificate: () => node.certificateBytes,
    signer: signerOf(await profile.deviceKey()),
  }
  return { node, me }
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 4, turn: false, fastReattach: true })
  // The operator grants mallory the role; mallory's supernode then goes rogue.
  await grantedAccount(net, dir.path)
  const profile = new Profile(net.home, 'mallory-sn')
  await signIn({
    profile,
    authority: net.authorityUrl,
    username: 'mallory',
    password: DEMO_PASSWORD,
    deviceName: 'mallory-sn',
  })
  rogue = await startSupernode({
    profile,
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: 0,
    httpPort: 0,
    capacity: 10,
    log: createLogger('rogue-sn', { file: join(net.logDir, 'rogue-sn.log'), level: 'warn' }),
  })
  // A member in every view: the replicas take its store, take and drop as a supernode's.
  await eventually(async () => {
    for (const s of net.supernodes) {
      const m = (await statusOf(s)).members
      if (net.supernodes.some((o) => m.find((x) => x.peerId === o.peerId)?.state !== 'alive'))
        return undefined
      if (m.find((x) => x.peerId === rogue!.peerId)?.state !== 'alive') return undefined
    }
    return true
  }, 60_000)
}, 180_000)

afterAll(async () => {
  for (const d of devices) await d.stop().catch(() => undefined)
  await rogue?.stop()
  await net?.stop()
  dir.remove()
})

describe('a rogue supernode against a victim’s offline items', () => {
  it('is refused take, drop and store with stable codes; the victim keeps and fetches every item', async () => {
    const all = await devnetPlacement(net, net.supernodes, [{ peerId: rogue!.peerId, username: 'mallory' }])
    // A victim whose R + 1 replicas do not include the rogue: it is an outsider to the victim's items.
    const victimName = Array.from({ length: 100 }, (_, i) => `victim${i}`).find(
      (n) => !replicasFor(n, all, R + 1).includes(rogue!.peerId),
    )!
    const victim = await device(victimName)
    const alice = await device('alice')
    await eventually(
      () => Promise.resolve(devices.every((d) => d.supernodeAddrs().length >= 2) || undefined),
      60_000,
    )
    const replicas = net.supernodes.filter((s) => replicasFor(victimName, all, R).includes(s.peerId))
    expect(replicas).toHaveLength(R)

    const items = Array.from({ length: ITEMS }, () => junkItem(victimName, victim.node.peerId))
    await deposit(alice.node.node, alice.node.supernodeAddrs(), alice.me, items)
    const held = async () =>
      Promise.all(replicas.map((r) => metric(r.httpUrl!, 'parley_supernode_offline_items')))
    await eventually(async () => ((await held()).every((n) => n === ITEMS) ? true : undefined), 20_000)

    // The rogue's host, a live member, straight to each of the victim's replicas.
    const ask = async (to: DevnetNode, req: Partial<OfflineRequest>): Promise<OfflineResponse> => {
      const addrs: Multiaddr[] = (await statusOf(to)).addrs.map((a) => multiaddr(a))
      const full = {
        kind: 0,
        items: [],
        recipient: '',
        deviceId: '',
        ids: [],
        access: new Uint8Array(0),
        ...req,
      }
      const bytes = await request(rogue!.node, addrs, Protocols.offline, OfflineRequest.encode(full), {
        timeoutMs: Deadlines.offlineMs,
        maxResponseBytes: ChatLimits.offlineBytes,
      })
      return decodeOfflineResponse(bytes)
    }
    const refusal = (res: OfflineResponse) => [res.result, res.code]
    const refused = (code: string) => [OfflineResult.Refused, code]
    const mallory = signerOf(await new Profile(net.home, 'mallory-sn').deviceKey())
    const malloryCert = loadIdentity(new Profile(net.home, 'mallory-sn')).certificate.bytes
    const ids = items.map((i) => i.id)
    const whose = { recipient: victimName, deviceId: victim.node.peerId }
    const ownGrant = (kind: AccessKind) =>
      plain(
        signAccess(
          {
            certificate: malloryCert,
            kind,
            recipient: 'mallory',
            ids: kind === AccessKind.Drop ? ids : [],
            expiresAt: Date.now() + 60_000,
          },
          mallory,
        ),
      )
    const junk = (n: number, over: Partial<SealedItem> = {}) =>
      Array.from({ length: n }, () => ({
        ...junkItem(victimName, victim.node.peerId),
        storedAt: BigInt(Date.now()),
        ...over,
      }))
    // A deposit signature over other bytes than the item's: what a rogue can make with its own key.
    const forged = junk(8).map((i) => ({
      ...i,
      deposit: plain(signDeposit(junkItem(victimName, 'x'), malloryCert, mallory)),
    }))

    for (const r of replicas) {
      expect(refusal(await ask(r, { kind: OfflineKind.Take, ...whose })), r.name).toEqual(
        refused(ErrorCode.AccessRequired),
      )
      expect(
        refusal(await ask(r, { kind: OfflineKind.Take, ...whose, access: ownGrant(AccessKind.Take) })),
      ).toEqual(refused(ErrorCode.AccessDenied))
      expect(refusal(await ask(r, { kind: OfflineKind.Drop, ...whose, ids }))).toEqual(
        refused(ErrorCode.AccessRequired),
      )
      expect(
        refusal(await ask(r, { kind: OfflineKind.Drop, ...whose, ids, access: ownGrant(AccessKind.Drop) })),
      ).toEqual(refused(ErrorCode.AccessDenied))
      // Filling the victim's quota: unsigned items now, backdated past any upgrade, or under a forged signature.
      expect(refusal(await ask(r, { kind: OfflineKind.Store, items: junk(64, { sender: '' }) }))).toEqual(
        refused(ErrorCode.DepositUnsigned),
      )
      const backdated = junk(64, { storedAt: BigInt(Date.now() - DAY), sender: 'alice' })
      expect(refusal(await ask(r, { kind: OfflineKind.Store, items: backdated }))).toEqual(
        refused(ErrorCode.DepositUnsigned),
      )
      expect(refusal(await ask(r, { kind: OfflineKind.Store, items: forged }))).toEqual(
        refused(ErrorCode.DepositInvalid),
      )
    }
    // Storing on a supernode that does not replicate the recipient.
    // 6 supernodes, the victim's R + 1 are 4 of them: at least one devnet supernode is not.
    const outsider = net.supernodes.find((s) => !replicasFor(victimName, all, R + 1).includes(s.peerId))!
    expect(refusal(await ask(outsider, { kind: OfflineKind.Store, items: junk(1) }))).toEqual(
      refused(ErrorCode.NotReplica),
    )

    // Nothing read, deleted or added: every replica holds the victim's items and no rogue item.
    expect(await held()).toEqual(replicas.map(() => ITEMS))
    const got = await fetchAll(victim.node.node, victim.node.supernodeAddrs(), victim.me)
    expect(got.map((i) => hex(i.id)).sort()).toEqual(ids.map(hex).sort())
    for (const item of got) expect(item.sender).toBe('alice')
    await ack(victim.node.node, victim.node.supernodeAddrs(), victim.me, ids)
    expect(await fetchAll(victim.node.node, victim.node.supernodeAddrs(), victim.me)).toEqual([])

    for (const s of net.supernodes) {
      expect(s.child.process.exitCode, s.name).toBeNull()
      expect(s.child.process.signalCode, s.name).toBeNull()
    }
  }, 120_000)
})
