/**
 * One request, one answer, on a fresh libp2p stream, length-prefixed and
 * size-capped both ways, with a deadline. A handler's failure (bad bytes,
 * oversized frame, exception) aborts that stream and nothing else (rule 1).
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'

export class RpcError extends Error {
  override name = 'RpcError'
}

export type Target = PeerId | Multiaddr | Multiaddr[]

export interface RequestOptions {
  timeoutMs: number
  maxResponseBytes: number
  signal?: AbortSignal
}

function deadline(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

export async function request(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array> {
  const signal = deadline(opts.timeoutMs, opts.signal)
  const stream = await node.dialProtocol(target, protocol, { signal, runOnLimitedConnection: true })
  try {
    const lp = lpStream(stream, { maxDataLength: opts.maxResponseBytes })
    await lp.write(payload, { signal })
    const answer = await lp.read({ signal })
    await stream.close({ signal }).catch(() => stream.abort(new RpcError('close failed')))
    return answer.subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new RpcError(String(err)))
    throw err
  }
}

/** Sends one message and does not wait for an answer (membership gossip). */
export async function send(
  node: Libp2p,
  target: Target,
  protocol: string,
  payload: Uint8Array,
  timeoutMs: number,
): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await node.dialProtocol(target, protocol, { signal, runOnLimitedConnection: true })
  try {
    await lpStream(stream).write(payload, { signal })
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new RpcError(String(err)))
    throw err
  }
}

export interface ServeOptions {
  maxRequestBytes: number
  timeoutMs: number
  maxInboundStreams?: number
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
      const signal = AbortSignal.timeout(opts.timeoutMs)
      try {
        const lp = lpStream(stream, { maxDataLength: opts.maxRequestBytes })
        const payload = await lp.read({ signal })
        const answer = await handle(payload.subarray(), connection)
        if (answer !== undefined) await lp.write(answer, { signal })
        await stream.close({ signal })
      } catch (err) {
        opts.onError?.(err, connection)
        stream.abort(err instanceof Error ? err : new RpcError(String(err)))
      }
    },
    { runOnLimitedConnection: true, maxInboundStreams: opts.maxInboundStreams ?? 256 },
  )
}
