/**
 * The floor: one request and one answer on a fresh stream over the
 * connection the sender already holds to the device, framed exactly as
 * src/net/rpc.ts `request` frames them (length-prefixed, capped, with a
 * deadline). rpc.ts takes a peer id and lets libp2p pick the connection,
 * which for a relayed peer means a new dial (see reuse.ts); the floor must
 * not include one, so it names the connection itself.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RpcError } from '../../src/net/rpc.js'
import { ECHO_MAX_BYTES, ECHO_PROTOCOL } from './peer.js'

export class NoConnectionError extends Error {
  override name = 'NoConnectionError'
}

/** The open connection to the peer, a direct one first. */
export function openConnection(node: Libp2p, peer: PeerId): Connection {
  const open = node.getConnections(peer).filter((c) => c.status === 'open')
  const conn = open.find((c) => !c.remoteAddr.toString().includes('/p2p-circuit')) ?? open[0]
  if (conn === undefined) throw new NoConnectionError(`no open connection to ${peer.toString()}`)
  return conn
}

export async function echoOn(conn: Connection, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await conn.newStream(ECHO_PROTOCOL, { signal, runOnLimitedConnection: true })
  try {
    const lp = lpStream(stream, { maxDataLength: ECHO_MAX_BYTES })
    await lp.write(payload, { signal })
    const answer = await lp.read({ signal })
    await stream.close({ signal }).catch(() => stream.abort(new RpcError('close failed')))
    return answer.subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new RpcError(String(err)))
    throw err
  }
}
