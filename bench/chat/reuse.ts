/**
 * A bench-only patch, applied to the sender for the rows marked so: what
 * fixing the relayed push path would give.
 *
 * rpc.ts `request` dials by peer id; libp2p's connection manager reuses an
 * open connection only when it is unlimited, and a circuit-relay v2
 * connection always carries the relay's limits (duration, bytes). So every
 * request to a relayed device dials the relay again: HOP CONNECT, STOP, a
 * Noise handshake and Yamux, after which libp2p drops the new connection as
 * a duplicate and uses the old one. The recipient's connection manager
 * accepts at most 5 inbound connections a second from one address (libp2p's
 * inboundConnectionThreshold), and every relayed connection comes from the
 * relay's address, so beyond 5 requests a second the pushes are refused.
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
