/**
 * libp2p hosts for Parley's roles. A supernode listens on TCP and WebSockets
 * and runs a circuit relay v2 server sized for hour-long calls and large
 * transfers; a device listens on TCP and, through its supernodes, on relay
 * circuit addresses. Noise on a relayed connection is end-to-end between the
 * two devices: the relay sees only ciphertext.
 *
 * A device announces only its relay circuits (issue 10, M6; src/net/direct.ts):
 * identify and identify-push tell any peer that connects, strangers coming
 * over the relay included, nothing else. It runs no DCUtR: DCUtR sends the
 * device's addresses to, and dials straight back to, whoever reached it over
 * a relay, and can be told neither who is a contact nor to stop. Contacts get
 * the direct addresses over /parley/direct instead (src/device/direct-addrs.ts),
 * which also does DCUtR's one step that works over TCP, connection reversal.
 */
import '../polyfills.js'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Ed25519PrivateKey, Libp2p, PeerId } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { CODE_P2P, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { announceCircuitsOnly, isCircuit } from './direct.js'
import { connectionLiveness, type ConnectionLiveness } from './liveness.js'
import { checkRelayPerPeer, DEFAULT_RELAY_PER_PEER, relayRefusal } from './relay-limits.js'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
const STOP = '/libp2p/circuit/relay/0.2.0/stop'

/** Relayed connections last as long as a long call or a large transfer, not the protocol's 2 minutes / 128 KiB. */
export const RELAY_DURATION_LIMIT_MS = 4 * 3600_000
export const RELAY_DATA_LIMIT_BYTES = 16n * 1024n ** 3n

/**
 * libp2p's connection monitor is off on every role: it opens a `/ipfs/ping`
 * stream per connection every 10 s, and aborts the connection when that
 * stream cannot be opened, which it could not while a device's keepalive ping
 * held the protocol's single outbound stream. On a 20-supernode, 200-device
 * devnet that tore down healthy attachments several times a second; each one
 * cost a Noise handshake, identify, an attach, a relay reservation and a
 * publish to three replicas. `ConnectionLiveness` does the monitor's job with
 * the muxer's ping frame.
 */
const NO_CONNECTION_MONITOR = { enabled: false } as const

export interface SupernodeHostOptions {
  privateKey: Ed25519PrivateKey
  host: string
  tcpPort: number
  wsPort: number
  /** Devices it serves: sizes relay reservations and the connection manager. */
  capacity: number
  /** Relay reservations go only to devices attached here. */
  mayReserve: (peer: PeerId) => boolean
  /** Relayed connections one peer may have through here at once, as source and as destination (default 32). */
  relayPerPeer?: number
  /** A relayed connection refused by relayPerPeer: the caller logs it once (src/log/refusals.ts). */
  onRelayRefused?: (source: PeerId, destination: PeerId, code: string) => void
}

/**
 * The addresses a node is bound to, with its peer id. libp2p 3 announces a
 * public address only once something has verified it, and a supernode on a
 * public IP would otherwise announce nothing; its bound addresses are what it
 * is reachable at.
 */
export function boundAddrs(node: Libp2p): string[] {
  const { transportManager: tm, addressManager: am } = (
    node as unknown as {
      components: {
        transportManager: { getAddrs(): Array<{ toString(): string }> }
        addressManager: {
          getAddressesWithMetadata(): Array<{ multiaddr: { toString(): string }; verified: boolean }>
        }
      }
    }
  ).components
  const id = node.peerId.toString()
  // A wildcard bind (0.0.0.0) says nothing useful: use the interface addresses libp2p expanded it to.
  const bound = tm
    .getAddrs()
    .map(String)
    .filter((a) => !isCircuit(a) && !a.startsWith('/ip4/0.0.0.0/') && !a.startsWith('/ip6/::/'))
  // What node.getMultiaddrs() gave before a device's announce filter: the verified addresses, unfiltered.
  const expanded = am
    .getAddressesWithMetadata()
    .filter((a) => a.verified)
    .map((a) => a.multiaddr.toString())
    .filter((a) => !isCircuit(a))
  const all = [...bound, ...expanded].map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${id}`))
  return [...new Set(all)]
}

/** Open streams of `protocol` on this node's connections with `peer`: a relayed connection lives as long as its hop and stop streams. */
function openStreams(node: Libp2p | undefined, peer: PeerId, protocol: string): number {
  let n = 0
  for (const c of node?.getConnections(peer) ?? [])
    for (const s of c.streams) if (s.protocol === protocol && s.status === 'open') n++
  return n
}

export async function createSupernodeHost(opts: SupernodeHostOptions): Promise<Libp2p> {
  const perPeer = checkRelayPerPeer(opts.relayPerPeer ?? DEFAULT_RELAY_PER_PEER)
  // The gater is built before the node it asks about.
  const ref: { node?: Libp2p } = {}
  // Asked by the relay server before it opens each relayed connection (handleConnect).
  const denyRelayed = (source: PeerId, destination: PeerId): Promise<boolean> => {
    const code = relayRefusal(
      {
        // The hop stream of this very request is open already: it is not counted against the source.
        fromSource: Math.max(0, openStreams(ref.node, source, HOP) - 1),
        toDestination: openStreams(ref.node, destination, STOP),
      },
      perPeer,
    )
    if (code !== undefined) opts.onRelayRefused?.(source, destination, code)
    return Promise.resolve(code !== undefined)
  }
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: {
      listen: [`/ip4/${opts.host}/tcp/${opts.tcpPort}`, `/ip4/${opts.host}/tcp/${opts.wsPort}/ws`],
    },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyInboundRelayReservation: (peer) => Promise.resolve(!opts.mayReserve(peer)),
      denyOutboundRelayedConnection: denyRelayed,
    },
    connectionManager: {
      // Many devices share one address behind a NAT; the defaults (5 a second per IP, 300 in all) would refuse them.
      maxConnections: opts.capacity * 2 + 1000,
      inboundConnectionThreshold: Math.max(100, opts.capacity),
      maxIncomingPendingConnections: Math.max(100, opts.capacity / 4),
    },
    connectionMonitor: NO_CONNECTION_MONITOR,
    services: {
      identify: identify(),
      ping: ping(),
      // A device that vanished or froze without closing its socket gives its admission slot back within ~25 s.
      liveness: connectionLiveness(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: opts.capacity,
          defaultDurationLimit: RELAY_DURATION_LIMIT_MS,
          defaultDataLimit: RELAY_DATA_LIMIT_BYTES,
        },
        maxInboundHopStreams: Math.max(64, opts.capacity),
        maxOutboundStopStreams: Math.max(300, opts.capacity),
      }),
    },
  })
  ref.node = node
  return node
}

export interface DeviceHostOptions {
  privateKey: Ed25519PrivateKey
  host: string
  tcpPort?: number
  /**
   * Whether this device may dial `peer` on a direct address (src/net/direct.ts,
   * DirectPaths.mayDialDirect): asked by the connection gater for every direct
   * address libp2p is about to dial, whatever asked for the dial. Relay
   * circuits are always allowed. Default: every peer.
   */
  mayDialDirect?: (peer: string) => boolean
}

export type DeviceHost = Libp2p<{ ping: Ping; liveness: ConnectionLiveness }>

/** The peer a multiaddr ends at, if it names one. */
function peerIn(addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast((c) => c.code === CODE_P2P)?.value
}

export async function createDeviceHost(opts: DeviceHostOptions): Promise<DeviceHost> {
  const mayDialDirect = opts.mayDialDirect
  return createLibp2p({
    privateKey: opts.privateKey,
    addresses: {
      listen: [`/ip4/${opts.host}/tcp/${opts.tcpPort ?? 0}`],
      // It still listens there; it just does not tell: identify carries the relay circuits only.
      announceFilter: announceCircuitsOnly,
    },
    transports: [tcp(), webSockets(), circuitRelayTransport({ reservationCompletionTimeout: 5000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      // A direct dial shows the dialled device our address: only to peers we may show it to.
      denyDialMultiaddr: (addr) => {
        if (mayDialDirect === undefined || isCircuit(addr.toString())) return false
        const peer = peerIn(addr)
        return peer !== undefined && !mayDialDirect(peer)
      },
    },
    connectionManager: { maxConnections: 300 },
    connectionMonitor: NO_CONNECTION_MONITOR,
    services: {
      identify: identify(),
      ping: ping(),
      autoNAT: autoNAT(),
      // Supernode links have their own 2 s keepalive (Attachments); this covers connections to other devices.
      liveness: connectionLiveness(),
    },
  })
}
