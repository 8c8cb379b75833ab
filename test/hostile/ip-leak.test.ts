/**
 * Issue 10, M6 on real processes: any attached device could look a user up
 * and get the IP addresses of all their devices (Skype's old IP leak), from
 * the presence records in the directory and again from libp2p itself:
 * identify and DCUtR hand a device's listen addresses to whoever connects,
 * strangers coming over the relay included.
 *
 * Mallory is signed in and attached, and is nobody's contact. Her client is a
 * bare libp2p host that does what a curious stranger can: it looks alice up,
 * connects to her over the relay, lets identify run, speaks DCUtR both ways
 * (answers a CONNECT from alice, sends one of its own), and asks alice for
 * her direct addresses with its own valid certificate. Everything it learns about
 * alice's device must be a relay circuit through a devnet supernode, never
 * the IP:port alice listens on. Meanwhile bob, alice's contact, still reaches
 * her directly: his lookup's reach and a file he pulls from her take the
 * direct path.
 */
// Before libp2p: its in-process host here needs Node 20's polyfills (src/polyfills.ts).
import '../../src/polyfills.js'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { describe, expect, it } from 'vitest'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity } from '../../src/device/session.js'
import { askToAttach } from '../../src/device/attach-client.js'
import { request } from '../../src/net/rpc.js'
import { Protocols } from '../../src/supernode/protocols.js'
import { verifyPresence } from '../../src/trust/presence.js'
import {
  AttachResult,
  decodeDirectoryResponse,
  DirectoryKind,
  DirectoryRequest,
} from '../../src/wire/overlay.js'
import { api } from '../support/chat.js'
import { deviceApi, eventually, type LookupAnswer } from '../support/devnet.js'
import { useHostileChatNet } from './chat-net.js'

const chat = useHostileChatNet(['alice', 'bob', 'mallory'], ['alice', 'bob'])

const DCUTR = '/libp2p/dcutr'
/** Where a device answers a request for its direct addresses (src/device/direct-addrs.ts). */
const DIRECT = '/parley/direct/1.0.0'

// ---- a few protobuf bytes, written by hand as a hostile client would -----------

function varint(n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

function field(no: number, bytes: Uint8Array): number[] {
  return [...varint((no << 3) | 2), ...varint(bytes.byteLength), ...bytes]
}

/** Every length-delimited field `no` of a protobuf message (other fields skipped). */
function fieldsOf(msg: Uint8Array, no: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = 0
  const read = (): number => {
    let n = 0
    let shift = 0
    for (;;) {
      const b = msg[at++]!
      n += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return n
      shift += 7
    }
  }
  while (at < msg.byteLength) {
    const key = read()
    if ((key & 7) === 0) read()
    else if ((key & 7) === 2) {
      const len = read()
      if (key >>> 3 === no) out.push(msg.subarray(at, at + len))
      at += len
    } else break
  }
  return out
}

/** DCUtR's HolePunch CONNECT (type 100) with these observed addresses. */
const holePunchConnect = (addrs: Multiaddr[]) =>
  new Uint8Array([0x08, 100, ...addrs.flatMap((a) => field(2, a.bytes))])

// ---- the stranger's client ---------------------------------------------------------

interface Stranger {
  host: Libp2p
  /** Addresses alice's DCUtR sent us in a CONNECT of its own. */
  dcutrHeard: string[]
}

async function strangerHost(profile: Profile): Promise<Stranger> {
  const dcutrHeard: string[] = []
  const host = await createLibp2p({
    privateKey: await profile.deviceKey(),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify() },
  })
  // Speaks DCUtR as the dialled side would: whatever CONNECT comes, its addresses are noted.
  await host.handle(
    DCUTR,
    async (stream) => {
      const lp = lpStream(stream)
      try {
        const connect = (await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()
        dcutrHeard.push(...fieldsOf(connect, 2).map((b) => multiaddr(b).toString()))
        await lp.write(holePunchConnect([]))
      } catch {
        // nothing more to learn
      }
      stream.abort(new Error('done'))
    },
    { runOnLimitedConnection: true },
  )
  return { host, dcutrHeard }
}

/** A direct (non-circuit) address as ip/port, to spot it inside anything learned. */
const socketOf = (a: string) => /^\/ip[46]\/[^/]+\/tcp\/\d+/.exec(a)?.[0]

describe('a stranger looks alice up and connects to her (M6)', () => {
  it('learns only relay circuits, while her contact bob still reaches her directly', async () => {
    const { net } = chat
    // Alice and bob are contacts.
    expect((await chat.parley('alice', 'add', 'bob', 'hi bob')).code).toBe(0)
    await eventually(async () => {
      const r = await api<{ requests: { username: string }[] }>(net.home, 'bob', '/v1/chat/requests')
      return r.requests.some((x) => x.username === 'alice') || undefined
    }, 20_000)
    expect((await chat.parley('bob', 'accept', 'alice')).code).toBe(0)

    const aliceStatus = (
      await deviceApi<{ peerId: string; addrs: string[] }>(net.home, 'alice', '/v1/status')
    ).body
    const aliceId = aliceStatus.peerId
    const aliceSockets = new Set(
      aliceStatus.addrs.filter((a) => !a.includes('/p2p-circuit')).map((a) => socketOf(a)!),
    )
    expect(aliceSockets.size).toBeGreaterThan(0)
    const supernodes = new Set(net.supernodes.map((s) => s.peerId))

    const profile = new Profile(net.home, 'mallory')
    const { certificate, config } = loadIdentity(profile)
    const mallory = await strangerHost(profile)
    const learned = new Map<string, string[]>()
    try {
      // Mallory attaches to a supernode and looks alice up, as any signed-in device may.
      const sn = net.supernodes.find((s) => !s.name.startsWith('mega-'))!
      const snAddrs = (
        (await (await fetch(`${sn.httpUrl}/v1/status`)).json()) as { addrs: string[] }
      ).addrs.map((a) => multiaddr(a))
      const attached = await askToAttach({
        node: mallory.host,
        peerId: sn.peerId,
        targets: snAddrs,
        certificate: certificate.bytes,
        proofs: () => ({ config, now: Date.now() }),
      })
      expect(attached.result).toBe(AttachResult.Attached)
      const answer = decodeDirectoryResponse(
        await request(
          mallory.host,
          snAddrs,
          Protocols.directory,
          DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username: 'alice', records: [] }),
          { timeoutMs: 5000, maxResponseBytes: 256 * 1024 },
        ),
      )
      const records = answer.records.map((r) =>
        verifyPresence(r, {
          networkPublicKey: config.networkPublicKey,
          networkId: config.networkId,
          now: Date.now(),
        }),
      )
      expect(records.map((r) => r.deviceId)).toEqual([aliceId])
      learned.set(
        'lookup',
        records.flatMap((r) => r.addrs),
      )

      // She connects to alice over the relay and lets identify run.
      const circuit = learned.get('lookup')!.find((a) => a.includes('/p2p-circuit'))
      expect(circuit, 'alice publishes a relay circuit').toBeDefined()
      const alice: PeerId = peerIdFromString(aliceId)
      await mallory.host.dial(multiaddr(circuit), { signal: AbortSignal.timeout(10_000) })
      await eventually(
        async () => ((await mallory.host.peerStore.get(alice)).protocols.length > 0 ? true : undefined),
        10_000,
        50,
      )
      // Alice's DCUtR (if she runs it) starts on her side of a relayed connection: give it time.
      await sleep(1500)

      // DCUtR from mallory's side: alice answers a CONNECT with hers.
      try {
        const stream = await mallory.host.dialProtocol(alice, DCUTR, {
          runOnLimitedConnection: true,
          signal: AbortSignal.timeout(5000),
        })
        const lp = lpStream(stream)
        await lp.write(holePunchConnect(mallory.host.getMultiaddrs()))
        const reply = (await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()
        learned.set(
          'dcutr answer',
          fieldsOf(reply, 2).map((b) => multiaddr(b).toString()),
        )
        stream.abort(new Error('done'))
      } catch (err) {
        learned.set('dcutr answer', [])
        expect((err as Error).name, 'alice does not speak DCUtR with strangers').toMatch(
          /UnsupportedProtocolError|StreamResetError|StreamAbortedError|TimeoutError/,
        )
      }

      // Asking alice for her direct addresses, with a valid certificate: refused, nothing given.
      let directCode = 'no answer'
      try {
        const stream = await mallory.host.dialProtocol(alice, DIRECT, {
          runOnLimitedConnection: true,
          signal: AbortSignal.timeout(5000),
        })
        const lp = lpStream(stream)
        await lp.write(new Uint8Array(field(1, certificate.bytes)))
        const reply = (await lp.read({ signal: AbortSignal.timeout(5000) })).subarray()
        learned.set(
          'direct answer',
          fieldsOf(reply, 4).map((b) => new TextDecoder().decode(b)),
        )
        directCode = new TextDecoder().decode(fieldsOf(reply, 2)[0])
        stream.abort(new Error('done'))
      } catch (err) {
        directCode = (err as Error).name
        learned.set('direct answer', [])
      }

      learned.set('dcutr connect', mallory.dcutrHeard)
      learned.set(
        'peer store (identify)',
        (await mallory.host.peerStore.get(alice)).addresses.map((a) => a.multiaddr.toString()),
      )
      learned.set(
        'connections',
        mallory.host.getConnections(alice).map((c) => c.remoteAddr.toString()),
      )

      // What she learned about alice's device: relay circuits through devnet supernodes, nothing else.
      const leaks = [...learned].flatMap(([where, addrs]) =>
        addrs
          .filter((a) => {
            const m = /\/p2p\/(\w+)\/p2p-circuit(\/p2p\/(\w+))?$/.exec(a)
            const ok = m !== null && supernodes.has(m[1]!) && (m[3] === undefined || m[3] === aliceId)
            return !ok || [...aliceSockets].some((s) => a.startsWith(s + '/'))
          })
          .map((a) => `${where}: ${a}`),
      )
      expect(leaks, `alice listens on ${[...aliceSockets].join(' ')}`).toEqual([])
      expect(learned.get('peer store (identify)')!.length).toBeGreaterThan(0)
      expect(directCode).toBe('not_contact')
    } finally {
      await mallory.host.stop()
    }

    // Bob, her contact, reaches her directly: a lookup's reach…
    const reached = await deviceApi<LookupAnswer>(net.home, 'bob', '/v1/lookup/alice?reach=1')
    expect(reached.body.devices.map((d) => d.reached?.path)).toEqual(['direct'])
    // …and a file he pulls from her.
    const sent = await offerFile('alice', 'bob', randomBytes(64 * 1024))
    await eventually(async () => (await transferOf('bob', sent)) !== undefined || undefined, 20_000)
    await api(net.home, 'bob', `/v1/files/${sent}/accept`, {})
    const done = await eventually(async () => {
      const t = await transferOf('bob', sent)
      return t?.state === 'done' ? t : undefined
    }, 20_000)
    expect(done.path).toBe('direct')
  })
})

interface Transfer {
  transfer: string
  state: string
  path?: string
}

async function offerFile(from: string, to: string, bytes: Uint8Array): Promise<string> {
  const r = await fetchApi(from, `/v1/files/${to}`, { 'x-file-name': 'hello.bin' }, bytes)
  return ((await r.json()) as { transfer: Transfer }).transfer.transfer
}

const transferOf = async (profile: string, id: string) =>
  (await api<{ transfers: Transfer[] }>(chat.net.home, profile, '/v1/files')).transfers.find(
    (t) => t.transfer === id,
  )

async function fetchApi(
  profile: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<Response> {
  const info = JSON.parse(readFileSync(join(chat.net.home, 'profiles', profile, 'api.json'), 'utf8')) as {
    url: string
    token: string
  }
  const res = await fetch(info.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.token}`, ...headers },
    body,
  })
  expect(res.status).toBe(200)
  return res
}
