/**
 * H3's residual on real processes: placement grinding. A supernode's peer id
 * is its own key, so under placement by peer id an account the operator
 * granted the role can generate keys offline until two of them rank first
 * and second among a victim's 3 replicas, sign in just those two, and hide
 * the victim: both answer "not found" to every fetch (two not-founds decide
 * a lookup) and drop every record and offline item they are given.
 *
 * Here mallory, granted one place, does exactly that against a 3-supernode
 * devnet: two ground keys, each of which alone beats every honest supernode
 * for the victim under peer-id placement, run as two supernodes that drop
 * everything. Placement by seats ranks an account's supernodes by the seat
 * the authority drew for its grant, not by their keys: the honest
 * supernodes' replicas for the victim stay the honest ones, one of mallory's
 * two supernodes is not placed at all, and the victim's presence lookup and
 * offline delivery work throughout. Before seats, the two rogues were the
 * victim's first two replicas and the lookup answered "not found".
 *
 * Nor can mallory bring peer-id placement back with a third supernode that
 * announces a version older than seats (every member places by peer id while
 * one such is live): a new network's minClientVersion (0.2.0) keeps it out.
 * With the old default (0.1.0) it joined and the victim vanished again.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ack, deposit, fetchAll, type OfflineIdentity } from '../../src/chat/offline-client.js'
import { deviceIdOf, encodeKey, generateKey, signerOf } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { replicasFor, type Placed } from '../../src/placement/placement.js'
import { createLogger } from '../../src/log/logger.js'
import { serve } from '../../src/net/rpc.js'
import { MEGA_WEIGHT, startSupernode, type RunningSupernode } from '../../src/supernode/node.js'
import { ok } from '../../src/supernode/offline-answers.js'
import { Protocols } from '../../src/supernode/protocols.js'
import { verifySupernodeGrantList } from '../../src/trust/grants.js'
import { fromBase64 } from '../../src/wire/bytes.js'
import { ChatLimits, decodeOfflineRequest, OfflineKind, OfflineResponse } from '../../src/wire/chat.js'
import { OverlayLimits } from '../../src/wire/limits.js'
import {
  decodeDirectoryRequest,
  DirectoryKind,
  DirectoryResponse,
  DirectoryResult,
} from '../../src/wire/overlay.js'
import { eventually } from '../support/devnet.js'
import { grantedAccount, junkItem } from './rogue.js'
import { tempDir } from '../support/process.js'

const R = 3
const ITEMS = 10
const GRIND_TRIES = 5_000

interface Status {
  members: Array<{ peerId: string; state: string }>
  placement?: { mode: string; unplaced: string[] }
}

const dir = tempDir('parley-hostile-placement-')
let net: Devnet
const rogues: RunningSupernode[] = []
const devices: DeviceNode[] = []

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const getJson = async <T>(url: string): Promise<T> =>
  (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as T
const honest = (): Placed[] =>
  net.supernodes.map((s) => ({ peerId: s.peerId, weight: s.name.startsWith('mega-') ? MEGA_WEIGHT : 1 }))
const log = () =>
  createLogger('hostile-placement', { file: join(net.logDir, 'test-placement.log'), level: 'warn' })

async function account(username: string, profileName: string, key?: Ed25519PrivateKey): Promise<Profile> {
  const profile = new Profile(net.home, profileName)
  if (key !== undefined) {
    // The ground key becomes the device key: it is the supernode's peer id.
    mkdirSync(profile.dir, { recursive: true, mode: 0o700 })
    writeFileSync(join(profile.dir, 'device.key'), encodeKey(key), { mode: 0o600, flag: 'wx' })
  }
  await signIn({
    profile,
    authority: net.authorityUrl,
    username,
    password: DEMO_PASSWORD,
    deviceName: profileName,
  })
  return profile
}

async function device(username: string): Promise<{ node: DeviceNode; me: OfflineIdentity }> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD)
  const profile = await account(username, username)
  const node = await DeviceNode.start({
    profile,
    host: '127.0.0.1',
    log: log().child({ device: username }),
    fastReattach: true,
  })
  devices.push(node)
  return {
    node,
    me: { username, certificate: () => node.certificateBytes, signer: signerOf(await profile.deviceKey()) },
  }
}

/**
 * The victim: a user whose replicas by seats are the honest supernodes, not
 * mallory's one place (that place is random: for one user in four or so it
 * lands among the three best, as any supernode's would). An authority older
 * than seats serves no v2 list: then any user will do.
 */
async function chooseVictim(): Promise<string> {
  const names = Array.from({ length: 100 }, (_, i) => `victim${i}`)
  const res = await fetch(`${net.authorityUrl}/v2/supernode-grants`)
  if (!res.ok) return names[0]!
  const { config } = loadIdentity(new Profile(net.home, net.supernodes[0]!.name))
  const body = (await res.json()) as { list: string }
  const list = verifySupernodeGrantList(fromBase64(body.list, 2 << 20)!, config)
  // docs/directory.md: an account with k live supernodes and N places holds seat ‖ uint32be(i), i < min(k, N).
  const place = (seat: Uint8Array, i: number) => {
    const out = new Uint8Array(seat.byteLength + 4)
    out.set(seat)
    new DataView(out.buffer).setUint32(seat.byteLength, i)
    return out
  }
  const operator = list.seatOf('operator')!
  // Weighed 1 each: mallory's place then ranks below all three honest ones however the mega's weight falls.
  const bySeats: Placed[] = [
    ...net.supernodes.map((_, i) => ({ peerId: `honest-${i}`, weight: 1, place: place(operator.seat, i) })),
    { peerId: 'mallory', weight: 1, place: place(list.seatOf('mallory')!.seat, 0) },
  ]
  return names.find((n) => !replicasFor(n, bySeats, R).includes('mallory'))!
}

/** Keys that each, alone beside the honest supernodes, rank first for `victim` by peer id. */
async function grind(victim: string, want: number): Promise<Ed25519PrivateKey[]> {
  const found: Ed25519PrivateKey[] = []
  for (let tries = 0; found.length < want; tries++) {
    if (tries === GRIND_TRIES) throw new Error(`no key ranked first in ${GRIND_TRIES} tries`)
    const key = await generateKey()
    const peerId = deviceIdOf(signerOf(key).publicKey)
    if (replicasFor(victim, [...honest(), { peerId, weight: 1 }], 1)[0] === peerId) found.push(key)
  }
  return found
}

/** A granted supernode gone bad: a member like any other, that takes every record and item and keeps none. */
async function rogue(profile: Profile): Promise<RunningSupernode> {
  const sn = await startSupernode({
    profile,
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: 0,
    httpPort: 0,
    capacity: 10,
    log: log().child({ rogue: profile.dir }),
  })
  rogues.push(sn)
  const opts = { maxRequestBytes: OverlayLimits.directoryBytes, timeoutMs: 5000 }
  // No device attaches here: the victim's own supernodes are honest.
  await sn.node.unhandle([Protocols.attach, Protocols.attachSigned])
  await sn.node.unhandle(Protocols.directory)
  await serve(
    sn.node,
    Protocols.directory,
    (payload) => {
      const req = decodeDirectoryRequest(payload)
      const answer =
        req.kind === DirectoryKind.Store
          ? { result: DirectoryResult.Ok, code: '', message: '', records: [] }
          : { result: DirectoryResult.NotFound, code: 'not_found', message: '', records: [] }
      return Promise.resolve(DirectoryResponse.encode(answer))
    },
    opts,
  )
  await sn.node.unhandle(Protocols.offline)
  await serve(
    sn.node,
    Protocols.offline,
    (payload) => {
      const req = decodeOfflineRequest(payload)
      // Stored, taken, dropped: "ok" to all, and nothing kept.
      const answer = req.kind === OfflineKind.Take ? { ...ok(), items: [], more: false } : ok()
      return Promise.resolve(OfflineResponse.encode(answer))
    },
    { ...opts, maxRequestBytes: ChatLimits.offlineBytes },
  )
  return sn
}

let victimName = ''

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, turn: false, fastReattach: true })
  await grantedAccount(net, dir.path)
  victimName = await chooseVictim()
}, 120_000)

afterAll(async () => {
  for (const d of devices) await d.stop().catch(() => undefined)
  for (const r of rogues) await r.stop().catch(() => undefined)
  await net?.stop()
  dir.remove()
})

describe('placement grinding', () => {
  it('two ground keys of one granted account do not become a victim’s replicas; lookups and offline delivery work', async () => {
    // Offline, before anything runs: two keys that would be the victim's first two replicas by peer id.
    const keys = await grind(victimName, 2)
    const rogueIds = keys.map((k) => deviceIdOf(signerOf(k).publicKey))
    const byPeerId = [...honest(), ...rogueIds.map((peerId) => ({ peerId, weight: 1 }))]
    expect(replicasFor(victimName, byPeerId, 2).sort()).toEqual([...rogueIds].sort())

    const victim = await device(victimName)
    const alice = await device('alice')
    await eventually(
      () => Promise.resolve(devices.every((d) => d.supernodeAddrs().length >= 1) || undefined),
      30_000,
    )
    await eventually(
      async () => ((await alice.node.lookup(victimName)).length > 0 ? true : undefined),
      20_000,
    )

    // mallory signs in just those two, and runs them.
    const profiles = await Promise.all(keys.map((k, i) => account('mallory', `mallory-${i}`, k)))
    for (const p of profiles) await rogue(p)
    expect(rogues.map((r) => r.peerId).sort()).toEqual([...rogueIds].sort())
    await eventually(async () => {
      for (const s of net.supernodes) {
        const members = (await getJson<Status>(`${s.httpUrl}/v1/status`)).members
        for (const id of rogueIds)
          if (members.find((m) => m.peerId === id)?.state !== 'alive') return undefined
      }
      return true
    }, 30_000)
    // Past the directory's repair settle: whatever placement moved has moved.
    await new Promise((resolve) => setTimeout(resolve, 1500))

    // The victim is found, every time, from whichever supernode alice asks through.
    for (let i = 0; i < 5; i++) {
      const found = await alice.node.lookup(victimName)
      expect(
        found.map((p) => p.deviceId),
        `lookup ${i}`,
      ).toEqual([victim.node.peerId])
    }
    // Offline items reach the victim, all of them, and go once acknowledged.
    const items = Array.from({ length: ITEMS }, () => junkItem(victimName, victim.node.peerId))
    await deposit(alice.node.node, alice.node.supernodeAddrs(), alice.me, items)
    const got = await fetchAll(victim.node.node, victim.node.supernodeAddrs(), victim.me)
    expect(got.map((i) => hex(i.id)).sort()).toEqual(items.map((i) => hex(i.id)).sort())
    await ack(
      victim.node.node,
      victim.node.supernodeAddrs(),
      victim.me,
      items.map((i) => i.id),
    )
    expect(await fetchAll(victim.node.node, victim.node.supernodeAddrs(), victim.me)).toEqual([])

    // Because every honest supernode places the victim on honest supernodes only, by seats;
    // and of mallory's two supernodes one is not placed at all (its grant has one place).
    const honestIds = net.supernodes.map((s) => s.peerId)
    const unplaced = new Set<string>()
    for (const s of net.supernodes) {
      const placed = await getJson<{ mode: string; replicas: string[] }>(
        `${s.httpUrl}/v1/replicas/${victimName}`,
      )
      expect(placed.mode, s.name).toBe('seats')
      expect([...placed.replicas].sort(), s.name).toEqual([...honestIds].sort())
      const status = await getJson<Status>(`${s.httpUrl}/v1/status`)
      for (const id of status.placement?.unplaced ?? []) unplaced.add(id)
    }
    // The same one everywhere: every member decides alike.
    expect(unplaced.size).toBe(1)
    expect(rogueIds).toContain([...unplaced][0])
    for (const s of net.supernodes) expect(s.child.process.exitCode, s.name).toBeNull()
  }, 90_000)

  it('nor can it put the network back on peer ids by announcing a version older than seats', async () => {
    // A third supernode of mallory's, announcing 0.1.0: were it a member, every supernode would place by
    // peer id again, and the two ground keys above would be the victim's first two replicas.
    const old = await startSupernode({
      profile: await account('mallory', 'mallory-old'),
      host: '127.0.0.1',
      tcpPort: 0,
      wsPort: 0,
      httpPort: 0,
      capacity: 10,
      version: '0.1.0',
      log: log().child({ rogue: 'mallory-old' }),
    })
    rogues.push(old)
    // Every supernode answers it one way or the other: the seed it joins through refuses it, or all count it.
    const mega = net.supernodes.find((s) => s.name.startsWith('mega-'))!
    const refused = () =>
      readFileSync(join(net.logDir, `${mega.name}.log`), 'utf8')
        .split('\n')
        .some((l) => l.includes(old.peerId) && l.includes('"code":"not_member"'))
    const counted = async () => {
      for (const s of net.supernodes) {
        const members = (await getJson<Status>(`${s.httpUrl}/v1/status`)).members
        if (!members.some((m) => m.peerId === old.peerId && m.state === 'alive')) return false
      }
      return true
    }
    await eventually(async () => (refused() || (await counted()) ? true : undefined), 20_000)
    // Refused (a new network's minClientVersion is 0.2.0), so the victim is still found through the
    // honest replicas (the devices of the first test: the victim, then alice) ...
    const [victim, alice] = devices
    for (let i = 0; i < 3; i++)
      expect(
        (await alice!.lookup(victimName)).map((p) => p.deviceId),
        `lookup ${i}`,
      ).toEqual([victim!.peerId])
    // ... because no supernode counts it, and all still place by seats.
    for (const s of net.supernodes) {
      const status = await getJson<Status>(`${s.httpUrl}/v1/status`)
      expect(
        status.members.map((m) => m.peerId),
        s.name,
      ).not.toContain(old.peerId)
      expect(status.placement?.mode, s.name).toBe('seats')
    }
  }, 60_000)
})
