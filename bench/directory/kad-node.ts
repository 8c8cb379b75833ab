/**
 * A kad-dht process for the directory benchmark's yardstick: one DHT server,
 * or a pool of DHT clients (one libp2p host each, like a Parley device pool).
 * The bench drives it over the line protocol in kad-protocol.ts.
 *
 *   node dist/bench/directory/kad-node.js --role server --config <network-config.bin>
 *   node dist/bench/directory/kad-node.js --role client --home <PARLEY_HOME> --profiles user-1,user-2
 *
 * Values are Parley's own signed presence records: a client signs its record
 * with its profile's device key and certificate (the key is also its libp2p
 * identity), and every node validates records with verifyPresence, as a
 * supernode does. kad-dht runs at its defaults, except what loopback needs:
 * server mode set explicitly, loopback addresses kept, and connection limits
 * as high as a Parley supernode's.
 */
import '../../src/polyfills.js'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { identify } from '@libp2p/identify'
import type { Ed25519PrivateKey, Libp2p } from '@libp2p/interface'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { generateKey, signerOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity } from '../../src/device/session.js'
import { verifyNetworkConfig, type NetworkConfig } from '../../src/trust/network-config.js'
import { PresenceStatus, signPresence, verifyPresence } from '../../src/trust/presence.js'
import { firstValid } from './kad-get.js'
import {
  NAMESPACE,
  RECORD_TTL_MS,
  recordKey,
  type KadAnswer,
  type KadRequest,
  type ReadyLine,
} from './kad-protocol.js'

class KadNodeError extends Error {
  override name = 'KadNodeError'
}

interface Member {
  host: Libp2p<{ dht: KadDHT }>
  /** Clients only: whose record this node publishes. */
  username?: string
  certificate?: Uint8Array
  key: Ed25519PrivateKey
}

const decoder = new TextDecoder()

/** kad-dht's default query timeout (DEFAULT_QUERY_TIMEOUT, not exported), used when a get has no signal. */
const KAD_QUERY_TIMEOUT_MS = 180_000

function usernameOf(key: Uint8Array): string {
  const text = decoder.decode(key)
  const prefix = `/${NAMESPACE}/`
  if (!text.startsWith(prefix)) throw new KadNodeError(`key ${text} is outside /${NAMESPACE}/`)
  return text.slice(prefix.length)
}

function recordRules(config: NetworkConfig) {
  const verify = (value: Uint8Array) =>
    verifyPresence(value, {
      networkPublicKey: config.networkPublicKey,
      networkId: config.networkId,
      now: Date.now(),
    })
  return {
    validators: {
      // A record is valid when its envelope and certificate verify and it is for the user its key names.
      [NAMESPACE]: (key: Uint8Array, value: Uint8Array): void => {
        if (verify(value).username !== usernameOf(key))
          throw new KadNodeError('the record is for another username than its key')
      },
    },
    selectors: {
      // The highest sequence wins; a record that no longer verifies never does.
      [NAMESPACE]: (_key: Uint8Array, values: Uint8Array[]): number => {
        let best = 0
        let bestSequence = -1
        values.forEach((value, i) => {
          try {
            const sequence = verify(value).sequence
            if (sequence > bestSequence) [best, bestSequence] = [i, sequence]
          } catch {
            // Not a candidate.
          }
        })
        return best
      },
    },
  }
}

async function createHost(
  key: Ed25519PrivateKey,
  server: boolean,
  config: NetworkConfig,
  monitor: boolean,
): Promise<Libp2p<{ dht: KadDHT }>> {
  return createLibp2p({
    privateKey: key,
    connectionMonitor: { enabled: monitor },
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The same headroom a Parley supernode gets: the defaults would refuse 200 clients on one address.
    connectionManager: {
      maxConnections: 2000,
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 250,
    },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ clientMode: !server, peerInfoMapper: passthroughMapper, ...recordRules(config) }),
    },
  })
}

/**
 * At most a few dials at once per process: twenty fresh processes dialling
 * each other all at once on two cores time out in the Noise handshake.
 */
const DIALS_AT_ONCE = 4
let dialsRunning = 0
const dialWaiters: Array<() => void> = []
async function dialLimited(host: Libp2p, addr: string): Promise<void> {
  while (dialsRunning >= DIALS_AT_ONCE) await new Promise<void>((resolve) => dialWaiters.push(resolve))
  dialsRunning++
  try {
    await host.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
  } finally {
    dialsRunning--
    dialWaiters.shift()?.()
  }
}

function routingTableSize(dht: KadDHT): number {
  return (dht as KadDHT & { routingTable?: { size: number } }).routingTable?.size ?? -1
}

async function handle(req: KadRequest, members: Member[], config: NetworkConfig): Promise<KadAnswer> {
  const member = (i: number): Member => {
    const m = members[i]
    if (m === undefined) throw new KadNodeError(`no node ${i}`)
    return m
  }
  switch (req.op) {
    case 'status':
      return {
        id: req.id,
        ok: true,
        routingTable: members.map((m) => routingTableSize(m.host.services.dht)),
        modes: members.map((m) => m.host.services.dht.getMode()),
      }
    case 'connect': {
      const targets = req.node === undefined ? members : [member(req.node)]
      const self = new Set(members.map((m) => m.host.peerId.toString()))
      const addrs = req.addrs.filter((a) => ![...self].some((id) => a.endsWith(`/p2p/${id}`)))
      const errors: string[] = []
      for (const m of targets) {
        for (const a of addrs) {
          try {
            if (req.fresh === true) await m.host.hangUp(multiaddr(a))
            await dialLimited(m.host, a)
          } catch (err) {
            errors.push(`${(err as Error).name}: ${(err as Error).message}`)
          }
        }
      }
      return {
        id: req.id,
        ok: errors.length === 0,
        error: errors.length === 0 ? undefined : `${errors.length} dials failed, e.g. ${errors[0]}`,
        routingTable: members.map((m) => routingTableSize(m.host.services.dht)),
      }
    }
    case 'put': {
      const m = member(req.node)
      if (m.username === undefined || m.certificate === undefined)
        throw new KadNodeError('only a client node has a record to put')
      const now = Date.now()
      const record = signPresence(
        {
          certificate: m.certificate,
          addrs: m.host.getMultiaddrs().map(String),
          status: PresenceStatus.ONLINE,
          sequence: now,
          expiresAt: now + RECORD_TTL_MS,
        },
        signerOf(m.key),
      )
      const t0 = performance.now()
      // Drained: the put ends when the query and the stores have. A peer stored the record when its
      // PUT_VALUE answer echoes it; a put that no peer stored is a failure, not a success without a record.
      let stored = 0
      let errors = 0
      for await (const event of m.host.services.dht.put(recordKey(m.username), record)) {
        if (event.name === 'QUERY_ERROR') errors++
        if (
          event.name === 'PEER_RESPONSE' &&
          event.messageName === 'PUT_VALUE' &&
          event.record !== undefined &&
          Buffer.from(event.record.value).equals(record)
        )
          stored++
      }
      return {
        id: req.id,
        ok: stored > 0,
        ms: performance.now() - t0,
        stored,
        error: stored > 0 ? undefined : `no peer stored the record (${errors} errors)`,
      }
    }
    case 'get': {
      const m = member(req.node)
      const verifyOptions = { networkPublicKey: config.networkPublicKey, networkId: config.networkId }
      const valid = (value: Uint8Array) => {
        try {
          const p = verifyPresence(value, { ...verifyOptions, now: Date.now() })
          return p.username === req.username ? { username: p.username, deviceId: p.deviceId } : undefined
        } catch {
          return undefined
        }
      }
      // kad-dht's own query timeout applies only when no signal is given: keep it beside ours.
      const early = new AbortController()
      const signal = AbortSignal.any([early.signal, AbortSignal.timeout(KAD_QUERY_TIMEOUT_MS)])
      const t0 = performance.now()
      let end
      try {
        end = await firstValid(m.host.services.dht.get(recordKey(req.username), { signal }), valid)
      } finally {
        early.abort()
      }
      const ms = performance.now() - t0
      if (end.kind === 'found') return { id: req.id, ok: true, ms, ...end.found }
      const counts = `${end.responses} peers answered, ${end.errors} errors, ${end.invalid} invalid records`
      return {
        id: req.id,
        ok: false,
        ms,
        outcome: end.kind,
        error: end.kind === 'nobody' ? `not found (${counts})` : `${end.error} (${counts})`,
      }
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      config: { type: 'string' },
      home: { type: 'string' },
      profiles: { type: 'string' },
      'connection-monitor': { type: 'string', default: 'on' },
    },
  })
  const monitor = values['connection-monitor'] !== 'off'
  const members: Member[] = []
  let config: NetworkConfig
  if (values.role === 'server') {
    if (values.config === undefined) throw new KadNodeError('--config is required for a server')
    config = verifyNetworkConfig(new Uint8Array(readFileSync(values.config)))
    const key = await generateKey()
    members.push({ host: await createHost(key, true, config, monitor), key })
  } else if (values.role === 'client') {
    if (values.home === undefined || values.profiles === undefined)
      throw new KadNodeError('--home and --profiles are required for clients')
    const profiles = values.profiles.split(',').map((name) => new Profile(values.home ?? '', name))
    const first = profiles[0]
    if (first === undefined) throw new KadNodeError('--profiles is empty')
    config = loadIdentity(first).config
    for (const profile of profiles) {
      const { certificate } = loadIdentity(profile)
      const key = await profile.deviceKey()
      members.push({
        host: await createHost(key, false, config, monitor),
        key,
        username: certificate.username,
        certificate: certificate.bytes,
      })
    }
  } else {
    throw new KadNodeError('--role must be server or client')
  }

  const write = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n')
  const ready: ReadyLine = {
    type: 'ready',
    nodes: members.map((m) => ({
      peerId: m.host.peerId.toString(),
      addrs: m.host.getMultiaddrs().map(String),
      username: m.username,
    })),
  }
  write(ready)

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    // libp2p may wait on dials in flight; the bench does not wait for ever.
    setTimeout(() => process.exit(0), 5000).unref()
    await Promise.allSettled(members.map(async (m) => m.host.stop()))
    process.exit(0)
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop())
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (text) => {
    let req: KadRequest
    try {
      req = JSON.parse(text) as KadRequest
    } catch {
      return
    }
    handle(req, members, config).then(write, (err: unknown) =>
      write({
        id: req.id,
        ok: false,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      }),
    )
  })
  // The bench is gone (or done): nothing else will ever ask.
  lines.on('close', () => void stop())
}

main().catch((err: unknown) => {
  console.error(`kad-node: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exit(1)
})
