/**
 * What one unit of upkeep costs: CPU (both ends together, one process) per
 * operation between a supernode host and a device host on loopback, for each
 * kind of message a quiet network keeps sending. Multiplied by how often each
 * is sent, it says where an idle network's CPU goes (docs/attachment.md,
 * "Upkeep cost"). Sequential, so it measures work, not contention.
 *
 *   node dist/bench/upkeep.js [--n 2000]
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createDeviceHost, createSupernodeHost } from '../src/net/host.js'
import { muxerPing } from '../src/net/liveness.js'
import { request, send, serve } from '../src/net/rpc.js'

const ECHO = '/parley-bench/echo/1.0.0'
const ONE_WAY = '/parley-bench/one-way/1.0.0'

interface Row {
  name: string
  cpuUs: number
  wallMs: number
}

async function measure(name: string, n: number, op: () => Promise<unknown>): Promise<Row> {
  for (let i = 0; i < Math.min(100, n); i++) await op()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await op()
  const wallMs = (performance.now() - t0) / n
  const cpu = process.cpuUsage(cpu0)
  return { name, cpuUs: (cpu.user + cpu.system) / n, wallMs }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' } } })
  const n = Number(values.n)
  const supernode = await createSupernodeHost({
    privateKey: await generateKeyPair('Ed25519'),
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: 0,
    capacity: 800,
    mayReserve: () => true,
  })
  const device = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  const payload = new Uint8Array(200)
  await serve(supernode, ECHO, (p) => Promise.resolve(p), { maxRequestBytes: 4096, timeoutMs: 5_000 })
  await serve(supernode, ONE_WAY, () => Promise.resolve(undefined), {
    maxRequestBytes: 4096,
    timeoutMs: 5_000,
  })
  const target = supernode.getMultiaddrs().find((a) => !a.toString().includes('/ws'))
  if (target === undefined) throw new Error('the supernode has no TCP address')
  const conn: Connection = await device.dial(target)
  const rpc = { timeoutMs: 5_000, maxResponseBytes: 4096 }

  const rows: Row[] = []
  rows.push(await measure('yamux ping frame (keepalive, liveness)', n, () => muxerPing(conn, 5_000)))
  rows.push(
    await measure('/ipfs/ping stream (old keepalive, connection monitor)', n, () =>
      device.services.ping.ping(supernode.peerId),
    ),
  )
  rows.push(
    await measure('one-way message on a new stream (rpc.send before pooling)', n, () =>
      freshSend(device, supernode, payload),
    ),
  )
  rows.push(
    await measure('one-way message on a pooled stream (rpc.send, membership)', n, () =>
      send(device, supernode.peerId, ONE_WAY, payload, 5_000),
    ),
  )
  rows.push(
    await measure('request and answer on a new stream (rpc before pooling)', n, () =>
      freshRequest(device, supernode, payload),
    ),
  )
  rows.push(
    await measure('request and answer on a pooled stream (rpc.request)', n, () =>
      request(device, supernode.peerId, ECHO, payload, rpc),
    ),
  )
  const dials = Math.max(20, Math.floor(n / 20))
  rows.push(
    await measure('new connection: TCP, Noise, yamux, identify, close', dials, async () => {
      const c = await fresh(device, target.toString())
      await c.close()
    }),
  )
  await device.stop()
  await supernode.stop()

  console.log(
    `Upkeep unit costs, ${n} sequential operations each (${dials} for connections), node ${process.version}`,
  )
  console.log('operation                                               CPU µs/op (both ends)  wall ms/op')
  for (const r of rows)
    console.log(`${r.name.padEnd(56)}${r.cpuUs.toFixed(0).padStart(10)}${r.wallMs.toFixed(2).padStart(22)}`)
}

/** What rpc.request did before it kept streams: open, negotiate, write, read, close. */
async function freshRequest(device: Libp2p, supernode: Libp2p, payload: Uint8Array): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(5_000)
  const stream = await device.dialProtocol(supernode.peerId, ECHO, { signal })
  const lp = lpStream(stream, { maxDataLength: 4096 })
  await lp.write(payload, { signal })
  const answer = await lp.read({ signal })
  await stream.close({ signal })
  return answer.subarray()
}

/** What rpc.send did before it kept streams: open, negotiate, write, close. */
async function freshSend(device: Libp2p, supernode: Libp2p, payload: Uint8Array): Promise<void> {
  const signal = AbortSignal.timeout(5_000)
  const stream = await device.dialProtocol(supernode.peerId, ONE_WAY, { signal })
  await lpStream(stream).write(payload, { signal })
  await stream.close({ signal })
}

/** A connection that is not the shared one: `force` dials even though one exists. */
async function fresh(node: Libp2p, addr: string): Promise<Connection> {
  const { multiaddr } = await import('@multiformats/multiaddr')
  return node.dial(multiaddr(addr), { force: true })
}

await main()
