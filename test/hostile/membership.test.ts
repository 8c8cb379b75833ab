/**
 * C1 on real processes: forged membership messages against a 5-supernode
 * devnet. Before the fix, one ping per supernode from a throwaway key marked
 * every supernode dead for good and crashed 2–3 of the 5 within 15 s
 * (StaleIncarnationError thrown from the load timer). Now a stranger is
 * refused (`not_member`, logged once), and a rogue member's forged deaths are
 * refuted: the mesh sees every supernode alive throughout and nobody exits.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { boundAddrs, createDeviceHost, type DeviceHost } from '../../src/net/host.js'
import { send } from '../../src/net/rpc.js'
import { Protocols } from '../../src/supernode/protocols.js'
import { signAnnouncement } from '../../src/trust/announcement.js'
import { VERSION } from '../../src/version.js'
import { plain } from '../../src/wire/bytes.js'
import { MembershipKind, MembershipMessage } from '../../src/wire/overlay.js'
import { eventually, metric } from '../support/devnet.js'
import { run, tempDir } from '../support/process.js'

const TOP = BigInt(Number.MAX_SAFE_INTEGER)
const DEAD = 2
const SUSPECT = 1

interface Status {
  peerId: string
  addrs: string[]
  members: Array<{ peerId: string; state: string; incarnation: number }>
}

const dir = tempDir('parley-hostile-membership-')
let net: Devnet
const hosts: DeviceHost[] = []

const statusOf = async (httpUrl: string): Promise<Status> =>
  (await (await fetch(`${httpUrl}/v1/status`, { signal: AbortSignal.timeout(5000) })).json()) as Status

/** Every supernode sees all of the devnet's supernodes alive, and every process still runs. */
async function meshWhole(): Promise<string | undefined> {
  const ids = net.supernodes.map((s) => s.peerId)
  for (const s of net.supernodes) {
    if (s.child.process.exitCode !== null || s.child.process.signalCode !== null)
      return `${s.name} exited (${s.child.process.exitCode ?? s.child.process.signalCode})`
    const st = await statusOf(s.httpUrl!)
    for (const id of ids) {
      const m = st.members.find((x) => x.peerId === id)
      if (m?.state !== 'alive' && m?.state !== 'suspect')
        return `${s.name} sees ${id} ${m?.state ?? 'missing'}`
    }
  }
  return undefined
}

/** The mesh stays whole at every look for `ms` (the observation window). */
async function staysWhole(ms: number): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    expect(await meshWhole()).toBeUndefined()
    await sleep(1000)
  }
}

const logOf = (name: string) => readFileSync(join(net.logDir, `${name}.log`), 'utf8')
const refusalLines = (name: string, peer: string, code: string) =>
  logOf(name)
    .split('\n')
    .filter(
      (l) => l.includes(`"code":"${code}"`) && l.includes(peer) && l.includes('"protocol":"membership"'),
    )

const message = (
  kind: number,
  updates: Array<{ peerId: string; incarnation: bigint; state: number; announcement?: Uint8Array }>,
) =>
  MembershipMessage.encode({
    kind,
    seq: 1n,
    target: '',
    updates: updates.map((u) => ({ ...u, announcement: plain(u.announcement ?? new Uint8Array()) })),
  })

const addrsOf = async (httpUrl: string) => (await statusOf(httpUrl)).addrs.map((a) => multiaddr(a))

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 4, turn: false })
  await eventually(async () => ((await meshWhole()) === undefined ? true : undefined), 60_000)
}, 180_000)

afterAll(async () => {
  for (const h of hosts) await h.stop()
  await net?.stop()
  dir.remove()
})

describe('a throwaway key with no account', () => {
  it('cannot mark anyone dead, crash a supernode or flood its log', async () => {
    const evil = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
    hosts.push(evil)
    const evilId = evil.peerId.toString()
    const ids = net.supernodes.map((s) => s.peerId)
    const forged = message(MembershipKind.Ping, [
      ...ids.map((peerId) => ({ peerId, incarnation: TOP, state: DEAD })),
      ...Array.from({ length: 400 }, (_, i) => ({ peerId: `ghost-${i}`, incarnation: TOP, state: DEAD })),
    ])
    for (const s of net.supernodes) {
      const addrs = await addrsOf(s.httpUrl!)
      // The review's attack, then a flood of the same.
      for (let i = 0; i < 300; i++) await send(evil, addrs, Protocols.membership, forged, 5000)
    }
    await staysWhole(15_000)
    for (const s of net.supernodes) {
      expect(refusalLines(s.name, evilId, 'not_member'), s.name).toHaveLength(1)
      expect(await metric(s.httpUrl!, 'parley_supernode_refused_total')).toBeGreaterThanOrEqual(1)
      expect(await metric(s.httpUrl!, 'parley_supernode_membership_dead')).toBe(0)
    }
  })
})

describe('a rogue supernode (a granted account gone bad)', () => {
  it('cannot bury members at forged incarnations, nor kill healthy ones: they refute', async () => {
    const profile = new Profile(net.home, 'rogue-sn')
    await new AuthorityClient(net.authorityUrl).register('rogue', DEMO_PASSWORD)
    // The operator grants the role; the account's supernode then goes rogue.
    const granted = await run(
      ['authority', 'grant-supernode', 'rogue', '--data-dir', join(dir.path, 'authority')],
      {
        env: { PARLEY_HOME: net.home },
      },
    )
    expect([granted.code, granted.stderr]).toEqual([0, ''])
    await signIn({
      profile,
      authority: net.authorityUrl,
      username: 'rogue',
      password: DEMO_PASSWORD,
      deviceName: 'rogue-sn',
    })
    const key = await profile.deviceKey()
    const rogue = await createDeviceHost({ privateKey: key, host: '127.0.0.1' })
    hosts.push(rogue)
    const rogueId = rogue.peerId.toString()
    const announcement = signAnnouncement(
      {
        certificate: loadIdentity(profile).certificate.bytes,
        addrs: boundAddrs(rogue),
        capacity: 10,
        load: 0,
        version: VERSION,
        incarnation: Date.now(),
        metricsUrl: '',
      },
      signerOf(key),
    )
    const own = { peerId: rogueId, incarnation: 0n, state: 0, announcement }
    const victims = net.supernodes.filter((s) => s.peerId !== rogueId)
    // It joins as a member first: what follows is a member's word, not a stranger's.
    await eventually(async () => {
      for (const s of net.supernodes) {
        if ((await statusOf(s.httpUrl!)).members.some((m) => m.peerId === rogueId)) continue
        await send(
          rogue,
          await addrsOf(s.httpUrl!),
          Protocols.membership,
          message(MembershipKind.Sync, [own]),
          5000,
        )
        return undefined
      }
      return true
    }, 30_000)
    for (const s of net.supernodes) {
      const addrs = await addrsOf(s.httpUrl!)
      const held = (await statusOf(s.httpUrl!)).members
      const forged = victims.flatMap((v) => {
        const inc = BigInt(held.find((m) => m.peerId === v.peerId)?.incarnation ?? 0)
        return [
          { peerId: v.peerId, incarnation: TOP, state: DEAD },
          { peerId: v.peerId, incarnation: TOP - 1n, state: SUSPECT },
          { peerId: v.peerId, incarnation: inc, state: DEAD },
        ]
      })
      await send(rogue, addrs, Protocols.membership, message(MembershipKind.Ping, [own, ...forged]), 5000)
    }
    await staysWhole(15_000)
    // Nobody's incarnation was pushed out of reach: each can still top its own.
    for (const s of net.supernodes)
      for (const m of (await statusOf(s.httpUrl!)).members)
        expect(m.incarnation).toBeLessThan(Number.MAX_SAFE_INTEGER - 1)
  })
})
