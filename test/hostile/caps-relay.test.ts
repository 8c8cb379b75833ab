/**
 * M7 on real processes: one account takes a supernode's slots with many
 * device keys, and one peer opens relayed connections without end. Two
 * supernodes with the caps made small for the test (`--account-devices 2`,
 * `--relay-per-peer 3`; the defaults are 8 and 32).
 *
 * - Mallory signs in four devices (real certificates of her account) and
 *   attaches each to one supernode: two are attached, the other two refused
 *   `account_limit`; alice's device still attaches there.
 * - A hostile libp2p host opens relayed connections (circuit relay v2 hop
 *   CONNECT) to bob's device through that supernode, one after the other:
 *   three open, the rest are refused, and the supernode counts each refusal
 *   as `relay_limit`. Meanwhile alice opens a relayed connection to carol
 *   through the same relay, and once the flood is gone, to bob. No process
 *   exited.
 */
import type { Ed25519PrivateKey, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { AttachResult } from '../../src/wire/overlay.js'
import { eventually, metric } from '../support/devnet.js'
import { tempDir } from '../support/process.js'
import { addrsOf, attachBare, bareHost, testDevice, type TestDevice } from './caps-devices.js'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
/** Circuit relay v2 status codes (the protocol's own, not Parley's). */
const OK = 100
const PERMISSION_DENIED = 202

const dir = tempDir('parley-caps-relay-')
let net: Devnet
const hosts: Libp2p[] = []
const devices: TestDevice[] = []

const host = (privateKey?: Ed25519PrivateKey): Promise<Libp2p> => bareHost(hosts, privateKey)

/** A device of `username` asks `sn` to attach, from its own key: the attach answer's result and code. */
async function attach(sn: DevnetNode, username: string, profile: string): Promise<[number, string]> {
  const { result, code } = await attachBare(net, sn, hosts, username, profile)
  return [result, code]
}

const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)])

/** HopMessage { type: CONNECT, peer: { id } }, encoded by hand (the package exports no codec). */
function connectTo(peerId: Uint8Array): Uint8Array {
  const peer = [0x0a, ...varint(peerId.byteLength), ...peerId]
  return Uint8Array.from([0x08, 0x01, 0x12, ...varint(peer.length), ...peer])
}

/** The status field (5) of a HopMessage. */
function statusOf(bytes: Uint8Array): number | undefined {
  let i = 0
  const read = (): number => {
    let n = 0
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++]!
      n += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return n
    }
  }
  while (i < bytes.length) {
    const tag = read()
    if ((tag & 7) === 0) {
      const v = read()
      if (tag >> 3 === 5) return v
    } else if ((tag & 7) === 2) {
      const length = read()
      i += length
    } else return undefined
  }
  return undefined
}

/** One hop CONNECT through `relay` to `target`; the stream stays open while the relayed connection lives. */
async function relayConnect(
  from: Libp2p,
  relay: Multiaddr[],
  target: Libp2p | string,
): Promise<[number, Stream]> {
  const stream = await from.dialProtocol(relay, HOP)
  const lp = lpStream(stream)
  const id = typeof target === 'string' ? target : target.peerId.toString()
  const { peerIdFromString } = await import('@libp2p/peer-id')
  await lp.write(connectTo(peerIdFromString(id).toMultihash().bytes))
  const answer = await lp.read({ signal: AbortSignal.timeout(5000) })
  return [statusOf(answer.subarray()) ?? -1, stream]
}

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 1,
    turn: false,
    fastReattach: true,
    supernodeArgs: ['--account-devices', '2', '--relay-per-peer', '3'],
  })
}, 180_000)

afterAll(async () => {
  for (const h of hosts) await Promise.resolve(h.stop()).catch(() => undefined)
  for (const d of devices) await d.node.stop().catch(() => undefined)
  await net?.stop()
  dir.remove()
})

describe('one account or one peer against a supernode’s capacity', () => {
  it('an account’s devices past the cap are refused account_limit; other accounts still attach', async () => {
    const sn = net.supernodes[0]!
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await attach(sn, 'mallory', `mallory-${i}`))
    expect(answers).toEqual([
      [AttachResult.Attached, ''],
      [AttachResult.Attached, ''],
      [AttachResult.Refused, ErrorCode.AccountLimit],
      [AttachResult.Refused, ErrorCode.AccountLimit],
    ])
    expect(await attach(sn, 'alice', 'alice-raw')).toEqual([AttachResult.Attached, ''])
    expect(sn.child.process.exitCode).toBeNull()
  }, 120_000)

  it('relayed connections past the per-peer cap are refused relay_limit; honest relayed connections open', async () => {
    for (const name of ['bob', 'carol']) devices.push(await testDevice(net, name))
    const [bob, carol] = devices as [TestDevice, TestDevice]
    await eventually(
      () => Promise.resolve(devices.every((d) => d.node.supernodeAddrs().length >= 2) || undefined),
      60_000,
    )
    const sn = net.supernodes[0]!
    const relay = await addrsOf(sn)
    const refusedBefore = await metric(sn.httpUrl!, 'parley_supernode_refused_total{protocol="relay"')
    // A reservation for bob must be in place before any CONNECT: wait until one goes through.
    const mallory = await host()
    const statuses: number[] = []
    const open: Stream[] = []
    await eventually(async () => {
      const [status, stream] = await relayConnect(mallory, relay, bob.node.peerId)
      if (status !== OK) {
        stream.abort(new Error('no reservation yet'))
        return undefined
      }
      statuses.push(status)
      open.push(stream)
      return true
    }, 30_000)
    for (let i = 0; i < 5; i++) {
      const [status, stream] = await relayConnect(mallory, relay, bob.node.peerId)
      statuses.push(status)
      open.push(stream)
    }
    expect(statuses).toEqual([OK, OK, OK, PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED])
    expect(
      await metric(sn.httpUrl!, 'parley_supernode_refused_total{protocol="relay",code="relay_limit"}'),
    ).toBe(refusedBefore + 3)

    // An honest peer through the same relay meanwhile: a full relayed connection (Noise, Yamux) to carol.
    const alice = await host()
    const viaRelay = (to: TestDevice) =>
      multiaddr(`${relay[0]!.toString()}/p2p-circuit/p2p/${to.node.peerId}`)
    const toCarol = await alice.dial(viaRelay(carol))
    expect(toCarol.remoteAddr.toString()).toContain('/p2p-circuit')
    // The flood ends; bob is reachable through the relay again.
    await mallory.stop()
    await eventually(async () => {
      try {
        return (await alice.dial(viaRelay(bob))).remoteAddr.toString().includes('/p2p-circuit') || undefined
      } catch {
        return undefined
      }
    }, 30_000)
    for (const s of net.supernodes) {
      expect(s.child.process.exitCode, s.name).toBeNull()
      expect(s.child.process.signalCode, s.name).toBeNull()
    }
  }, 180_000)
})
