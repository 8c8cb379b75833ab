/**
 * The device's poll for both signed lists, on real libp2p hosts over
 * loopback with the supernode's real services: a supernode of this version
 * gives both lists in one exchange on /parley/lists/1.0.0, and one from
 * before it (serving only /parley/revocations/1.0.0 and /parley/grants/1.0.0)
 * still gives the device both, one request each.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey, signerOf } from '../crypto/keys.js'
import { silentLogger } from '../log/logger.js'
import { Refusals } from '../log/refusals.js'
import { boundAddrs, createDeviceHost } from '../net/host.js'
import { serve } from '../net/rpc.js'
import { rpcCounts } from '../net/rpc-stats.js'
import { Protocols } from '../supernode/protocols.js'
import { RevocationService } from '../supernode/revocation-service.js'
import { SignedListsService } from '../supernode/signed-lists-service.js'
import { signSupernodeGrantListV2, verifySupernodeGrantList } from '../trust/grants.js'
import { signRevocationListV2, verifyRevocationList } from '../trust/revocations.js'
import { GrantWatch } from './grant-watch.js'
import { ListPoller } from './list-poller.js'
import { RevocationWatch } from './revocation-watch.js'

const NETWORK = 'parley-list-poller'
const log = silentLogger()
const dirs: string[] = []
const hosts: Libp2p[] = []
let anchor: { networkPublicKey: Uint8Array; networkId: string }
let revocationBytes: Uint8Array
let grantBytes: Uint8Array

/** A supernode host serving the held lists: the older protocols, and /parley/lists/1.0.0 unless `old`. */
async function supernode(old: boolean): Promise<{ host: Libp2p; asked: Map<string, number> }> {
  const host = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  hosts.push(host)
  const asked = new Map<string, number>()
  const counted = (protocol: string, handle: (p: Uint8Array, from: string) => Uint8Array) =>
    serve(
      host,
      protocol,
      (p, c) => {
        asked.set(protocol, (asked.get(protocol) ?? 0) + 1)
        return Promise.resolve(handle(p, c.remotePeer.toString()))
      },
      { maxRequestBytes: 32, timeoutMs: 5_000 },
    )
  const refusals = new Refusals(log, { inc: () => undefined })
  const revocations = { sequence: 3, bytes: revocationBytes }
  const grants = { sequence: 5, bytes: grantBytes }
  const everyone = (): boolean => true
  const rev = new RevocationService({ list: () => revocations, mayAsk: everyone, refusals })
  const gr = new RevocationService({ kind: 'grants', list: () => grants, mayAsk: everyone, refusals })
  await counted(Protocols.revocations, (p, from) => rev.answer(p, from))
  await counted(Protocols.grants, (p, from) => gr.answer(p, from))
  if (!old) {
    const lists = new SignedListsService({
      revocations: () => revocations,
      grants: () => grants,
      mayAskRevocations: everyone,
      mayAskGrants: everyone,
      refusals,
    })
    await counted(Protocols.lists, (p, from) => lists.answer(p, from))
  }
  return { host, asked }
}

/** A device host with fresh watches, connected to `to` (identify done), and a poller asking them. */
async function device(to: Libp2p[]) {
  const node = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  hosts.push(node)
  const dir = mkdtempSync(join(tmpdir(), 'parley-list-poller-'))
  dirs.push(dir)
  const sources: Multiaddr[][] = []
  for (const sn of to) {
    const addr = multiaddr(boundAddrs(sn)[0])
    await node.dial(addr)
    sources.push([addr])
  }
  // identify tells the device which protocols each supernode serves; wait until it has.
  for (let i = 0; i < 100; i++) {
    const known = await Promise.all(to.map((sn) => node.peerStore.get(sn.peerId)))
    if (known.every((p) => p.protocols.includes(Protocols.grants))) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const common = {
    node,
    dir,
    anchor: () => anchor,
    supernodes: () => sources,
    log,
    onChange: () => undefined,
  }
  const revocations = new RevocationWatch(common)
  const grants = new GrantWatch({ ...common, validityMs: () => 7 * 86_400_000 })
  const poller = new ListPoller({ node, revocations, grants: () => grants, sources: () => sources })
  return { node, revocations, grants, poller }
}

beforeAll(async () => {
  const networkKey = signerOf(await generateKey())
  anchor = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
  revocationBytes = signRevocationListV2(
    {
      networkId: NETWORK,
      sequence: 3,
      issuedAt: 1_800_000_000_000,
      revocations: [{ deviceId: '12D3KooWstolen', revokedAt: 1_800_000_000_000, by: 'owner' }],
    },
    networkKey,
  )
  grantBytes = signSupernodeGrantListV2(
    {
      networkId: NETWORK,
      sequence: 5,
      issuedAt: 1_800_000_000_000,
      grants: [{ username: 'operator', grantedAt: 1_800_000_000_000, seat: new Uint8Array(16), places: 2 }],
    },
    networkKey,
  )
  // The lists verify: what the watches take is what was signed.
  expect(verifyRevocationList(revocationBytes, anchor).sequence).toBe(3)
  expect(verifySupernodeGrantList(grantBytes, anchor).sequence).toBe(5)
})

afterAll(async () => {
  for (const h of hosts) await h.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('the device polls its supernodes for both signed lists', () => {
  it('gets both lists from a supernode of this version in one request', async () => {
    const sn = await supernode(false)
    const d = await device([sn.host])
    await d.poller.refresh()
    expect(d.revocations.isRevoked('12D3KooWstolen')).toBe(true)
    expect(d.grants.list?.has('operator')).toBe(true)
    expect(Object.fromEntries(sn.asked)).toEqual({ [Protocols.lists]: 1 })
    // Nothing newer on the next round: the answer is empty and the lists are kept.
    await d.poller.refresh()
    expect(d.revocations.sequence).toBe(3)
    expect(d.grants.sequence).toBe(5)
    expect(Object.fromEntries(sn.asked)).toEqual({ [Protocols.lists]: 2 })
  })

  it('still gets both from a supernode older than the one-request protocol, one request each', async () => {
    const old = await supernode(true)
    const d = await device([old.host])
    await d.poller.refresh()
    expect(d.revocations.isRevoked('12D3KooWstolen')).toBe(true)
    expect(d.grants.list?.has('operator')).toBe(true)
    expect(Object.fromEntries(old.asked)).toEqual({ [Protocols.revocations]: 1, [Protocols.grants]: 1 })
  })

  it('tries one request when identify told nothing, and asks an older supernode the older way from then on', async () => {
    const old = await supernode(true)
    const d = await device([old.host])
    // identify can time out on a busy host: then the device knows nothing of what the supernode serves.
    await d.node.peerStore.delete(old.host.peerId)
    const opened = (): number => rpcCounts()[Protocols.lists]?.opened ?? 0
    const before = opened()
    await d.poller.refresh()
    expect(d.revocations.isRevoked('12D3KooWstolen')).toBe(true)
    expect(d.grants.list?.has('operator')).toBe(true)
    expect(opened() - before).toBe(1)
    await d.poller.refresh()
    expect(opened() - before).toBe(1)
    expect(Object.fromEntries(old.asked)).toEqual({ [Protocols.revocations]: 2, [Protocols.grants]: 2 })
  })

  it('asks each supernode its own way when it is attached to both kinds', async () => {
    const [sn, old] = [await supernode(false), await supernode(true)]
    const d = await device([sn.host, old.host])
    await d.poller.refresh()
    expect(d.revocations.sequence).toBe(3)
    expect(d.grants.sequence).toBe(5)
    expect(Object.fromEntries(sn.asked)).toEqual({ [Protocols.lists]: 1 })
    expect(Object.fromEntries(old.asked)).toEqual({ [Protocols.revocations]: 1, [Protocols.grants]: 1 })
  })
})
