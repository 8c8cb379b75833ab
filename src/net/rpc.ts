/**
 * One request, one answer, length-prefixed and size-capped both ways, with a
 * deadline. A handler's failure (bad bytes, oversized frame, exception) aborts
 * that stream and nothing else (rule 1).
 *
 * A stream carries one exchange after another: the server keeps reading
 * requests until the client closes it, and the client keeps idle streams per
 * peer and protocol (stream-pool.ts). Requests must therefore be idempotent,
 * which every Parley request is: a pooled stream that fails before its answer
 * (the peer closed it meanwhile) is retried once on a fresh stream, and so is
 * a fresh stream whose connection closed under it while another connection
 * to the peer stays open (a device drops a relayed connection once a direct
 * one comes). A client that closes after one answer, or a server that does,
 * still works.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { CODE_P2P, type Multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { onStreamWithin, timeoutError, withDeadline } from './deadline.js'
import { count } from './rpc-stats.js'
import { giveStream, takeStream, wrap, type PooledStream } from './stream-pool.js'

export class RpcError extends Error {
  override name = 'RpcError'
}

export type Target = PeerId | Multiaddr | Multiaddr[]

export interface RequestOptions {
  timeoutMs: number
  maxResponseBytes: number
  signal?: AbortSignal
  /**
   * How long the stream is kept for the next request (default POOL_IDLE_MS). A periodic request
   * sets it above its period, so that each one reuses the last one's stream instead of
   * negotiating a new one; the server must wait longer still (ServeOptions.idleMs).
   */
  idleMs?: number
}

/** How long a server waits for the next request on a stream before closing it (clients close theirs first). */
export const SERVE_IDLE_MS = 60_000

function abortError(err: unknown): Error {
  return err instanceof Error ? err : new RpcError(String(err))
}

/** The peer a target names, when it names one (a multiaddr may not). */
function peerOf(target: Target): string | undefined {
  if (!Array.isArray(target) && !('getComponents' in target)) return target.toString()
  const first = Array.isArray(target) ? target[0] : target
  return first?.getComponents().findLast((c) => c.code === CODE_P2P)?.value
}

export async function request(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array> {
  count(protocol, 'sent')
  const pool = `${protocol}\u0000${opts.maxResponseBytes}`
  const peer = peerOf(target)
  const give = (s: PooledStream) => giveStream(node, peer!, pool, s, opts.idleMs)
  // The common case, a pooled stream and no caller's signal, runs on a timer alone (onStreamWithin).
  const started = performance.now()
  const pooled = peer === undefined || opts.signal !== undefined ? undefined : takeStream(node, peer, pool)
  if (pooled !== undefined) {
    try {
      return await onStreamWithin(pooled.stream, opts.timeoutMs, () =>
        exchange(pooled, payload, undefined, give),
      )
    } catch (err) {
      // Past the deadline: final. Otherwise the peer closed the idle stream: a fresh one, in what is left.
      if (isTimeout(err)) throw err
    }
  }
  const left = opts.timeoutMs - (performance.now() - started)
  if (left <= 0) throw timeoutError()
  // A caller's own signal took no pooled stream above: it tries one under its signal.
  return withDeadline(left, opts.signal, (signal) =>
    requestWithin(node, target, protocol, payload, opts, signal, {
      peer,
      pool,
      pooledFirst: opts.signal !== undefined,
    }),
  )
}

/** `request` on a stream under a signal: a pooled one first when `pooledFirst`, else (or when it fails) a fresh one. */
async function requestWithin(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  opts: RequestOptions,
  signal: AbortSignal,
  { peer, pool, pooledFirst }: { peer: string | undefined; pool: string; pooledFirst: boolean },
): Promise<Uint8Array> {
  const pooled = peer === undefined || !pooledFirst ? undefined : takeStream(node, peer, pool)
  if (pooled !== undefined) {
    try {
      return await exchange(pooled, payload, signal, (s) => giveStream(node, peer!, pool, s, opts.idleMs))
    } catch (err) {
      // Past the deadline, or aborted by the caller: final. Otherwise the peer closed the idle stream.
      if (signal.aborted) throw err
    }
  }
  const fresh = async (): Promise<Uint8Array> => {
    const { stream, connection } = await openStream(node, target, protocol, signal)
    const owner = peer ?? stream.id
    try {
      return await exchange(wrap(stream, opts.maxResponseBytes), payload, signal, (s) =>
        peer === undefined ? void closeStream(s.stream) : giveStream(node, owner, pool, s, opts.idleMs),
      )
    } catch (err) {
      // The connection closed under the stream while another stays open (a relayed one dropped
      // as a direct one came, src/device/connector.ts): not a failure of the peer.
      if (!signal.aborted && connection !== undefined && connection.status !== 'open') throw new Moved(err)
      throw err
    }
  }
  try {
    return await fresh()
  } catch (err) {
    if (!(err instanceof Moved)) throw err
    const isPeer = !Array.isArray(target) && !('getComponents' in target)
    if (!isPeer || bestConnection(node, target) === undefined) throw err.cause as Error
    return fresh().catch((again: unknown) => {
      throw again instanceof Moved ? (again.cause as Error) : again
    })
  }
}

/** A fresh stream's exchange failed because its connection closed meanwhile. */
class Moved extends Error {
  constructor(cause: unknown) {
    super('connection closed', { cause })
  }
}

function isTimeout(err: unknown): boolean {
  return (err as { name?: unknown } | undefined)?.name === 'TimeoutError'
}

/**
 * The best open connection with a peer: a direct one, else a relayed one.
 * libp2p's own dial by peer id passes over a relayed (limited) connection and
 * dials the peer again, through the relay once more when a relay is all it
 * has an address for; devices keep to the relay with everyone but their
 * contacts (src/net/direct.ts), so that would be a new relayed connection,
 * Noise handshake and identify per request.
 */
export function bestConnection(node: Libp2p, peer: PeerId): Connection | undefined {
  const open = node.getConnections(peer).filter((c) => c.status === 'open')
  return open.find((c) => c.direct) ?? open[0]
}

/** A stream to `target`: over the best open connection when it names a peer we are connected to, else dialled. */
async function openStream(
  node: Libp2p,
  target: Target,
  protocol: string,
  signal: AbortSignal,
): Promise<{ stream: Stream; connection?: Connection }> {
  const options = { signal, runOnLimitedConnection: true }
  count(protocol, 'opened')
  const isPeer = !Array.isArray(target) && !('getComponents' in target)
  const connection = isPeer ? bestConnection(node, target) : undefined
  if (connection !== undefined) return { stream: await connection.newStream(protocol, options), connection }
  return { stream: await node.dialProtocol(target, protocol, options) }
}

async function exchange(
  pooled: PooledStream,
  payload: Uint8Array,
  signal: AbortSignal | undefined,
  done: (s: PooledStream) => void,
): Promise<Uint8Array> {
  try {
    await pooled.lp.write(payload, { signal })
    const answer = await pooled.lp.read({ signal })
    done(pooled)
    return answer.subarray()
  } catch (err) {
    pooled.stream.abort(abortError(err))
    throw err
  }
}

async function closeStream(stream: Stream): Promise<void> {
  await stream.close().catch((err: unknown) => stream.abort(abortError(err)))
}

/**
 * Sends one message and does not wait for an answer (membership gossip), on
 * a pooled stream like `request`. It fails only when the message cannot be
 * handed to a stream in time (no connection, the dial failed); a frozen peer
 * with an open stream is not noticed here but by the protocol's own answers.
 */
export async function send(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  timeoutMs: number,
): Promise<void> {
  count(protocol, 'sent')
  await withDeadline(timeoutMs, undefined, (signal) => sendWithin(node, target, protocol, payload, signal))
}

async function sendWithin(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  const pool = `${protocol}\u0000one-way`
  const peer = peerOf(target)
  const write = async (s: PooledStream): Promise<void> => {
    try {
      await s.lp.write(payload, { signal })
    } catch (err) {
      s.stream.abort(abortError(err))
      throw err
    }
    if (peer === undefined) await closeStream(s.stream)
    else giveStream(node, peer, pool, s)
  }
  const pooled = peer === undefined ? undefined : takeStream(node, peer, pool)
  if (pooled !== undefined) {
    try {
      return await write(pooled)
    } catch (err) {
      if (signal.aborted) throw err
    }
  }
  const { stream } = await openStream(node, target, protocol, signal)
  await write(wrap(stream, 0))
}

export interface ServeOptions {
  maxRequestBytes: number
  /** Deadline of one exchange: reading the first request, handling it, writing the answer. */
  timeoutMs: number
  maxInboundStreams?: number
  /** How long to wait for the next request on a stream before closing it (default SERVE_IDLE_MS). */
  idleMs?: number
  /** Called when a stream fails; for logging and metrics. */
  onError?: (err: unknown, connection: Connection) => void
}

/** Registers a handler; `handle` returns the answer, or undefined for one-way messages. */
export async function serve(
  node: Libp2p,
  protocol: string,
  handle: (payload: Uint8Array, connection: Connection) => Promise<Uint8Array | undefined>,
  opts: ServeOptions,
): Promise<void> {
  await node.handle(
    protocol,
    async (stream, connection) => {
      count(protocol, 'accepted')
      const lp = lpStream(stream, { maxDataLength: opts.maxRequestBytes })
      for (let served = 0; ; served++) {
        let payload: Uint8Array
        try {
          const waitMs = served === 0 ? opts.timeoutMs : (opts.idleMs ?? SERVE_IDLE_MS)
          payload = (await onStreamWithin(stream, waitMs, () => lp.read())).subarray()
        } catch (err) {
          // After a first exchange, the client closing the stream (or leaving it idle) is its normal end.
          if (served > 0 && isQuietEnd(err)) return stream.status === 'open' ? closeStream(stream) : undefined
          fail(stream, connection, err, opts)
          return
        }
        count(protocol, 'served')
        try {
          await onStreamWithin(stream, opts.timeoutMs, async () => {
            const answer = await handle(payload, connection)
            if (answer !== undefined) await lp.write(answer)
          })
        } catch (err) {
          fail(stream, connection, err, opts)
          return
        }
      }
    },
    { runOnLimitedConnection: true, maxInboundStreams: opts.maxInboundStreams ?? 256 },
  )
}

/** End of stream between requests, or no next request in time: not a failure of the stream. */
function isQuietEnd(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name
  return name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'StreamResetError'
}

function fail(stream: Stream, connection: Connection, err: unknown, opts: ServeOptions): void {
  opts.onError?.(err, connection)
  stream.abort(abortError(err))
}
