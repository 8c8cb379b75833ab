/**
 * A bench-only patch, applied to the sender for the rows marked "+ reuse":
 * what fixing the relayed push path would give.
 *
 * rpc.ts `request` reuses an idle stream to the peer when it has one
 * (stream-pool.ts); otherwise (the first request, one after POOL_IDLE_MS of
 * quiet, or one beside another in flight) it dials by peer id. libp2p's
 * connection manager reuses an open connection only when it is unlimited, and
 * a circuit-relay v2 connection always carries the relay's limits (duration,
 * bytes), so such a request to a relayed device dials the relay again: HOP
 * CONNECT, STOP, a Noise handshake and Yamux, before the stream can open. The
 * recipient's connection manager also accepts at most 5 inbound connections
 * a second from one address (libp2p's inboundConnectionThreshold), and every
 * relayed connection comes from its relay's address: past that, pushes are
 * refused and wait out the outbox's backoff.
 *
 * The patch opens the stream on the open connection when there is one, as a
 * fix in rpc.ts (or in ChatService.pushTo) would.
 */
import { isPeerId, type Libp2p } from '@libp2p/interface'

/** Installs the patch on `node`; returns the function that removes it. */
export function reuseOpenConnections(node: Libp2p): () => void {
  const original = node.dialProtocol.bind(node)
  node.dialProtocol = async (peer, protocols, options) => {
    if (isPeerId(peer)) {
      const open = node.getConnections(peer).find((c) => c.status === 'open')
      if (open !== undefined) return open.newStream(protocols, options)
    }
    return original(peer, protocols, options)
  }
  return () => {
    node.dialProtocol = original
  }
}
