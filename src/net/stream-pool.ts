/**
 * Idle request streams, kept per node, peer and protocol, so that a request
 * to a peer asked recently goes out at once on an open stream. A fresh stream
 * costs a yamux SYN, a multistream-select round trip before the request can
 * be written (libp2p negotiates fully), a peer-store write of the protocol,
 * and a close each way: on loopback about 1.3 ms of CPU and two round trips,
 * against one round trip for a reused stream (bench/upkeep.ts).
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'

/** A client closes a stream it has not used for this long; the server waits longer (SERVE_IDLE_MS). */
export const POOL_IDLE_MS = 20_000
/**
 * Idle streams kept per peer and protocol; more concurrent requests open more streams, closed after
 * use. 16, not 4: right after 30% of a 20-supernode network froze, requests between the live ones ran
 * many at a time and every one past the fourth opened and closed a fresh stream, about 1.3 ms of CPU
 * each on the busiest seconds (bench:directory with PARLEY_RPC_STATS: 2,327 fresh directory streams
 * accepted in 22 s with 4, 1,773 in 23 s with 16; membership 100 → 31). An idle stream costs a few KiB.
 */
export const POOL_MAX_IDLE = 16

export interface PooledStream {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
}

interface Idle extends PooledStream {
  timer: NodeJS.Timeout
}

const pools = new WeakMap<Libp2p, Map<string, Idle[]>>()

function poolOf(node: Libp2p): Map<string, Idle[]> {
  let pool = pools.get(node)
  if (pool === undefined) pools.set(node, (pool = new Map<string, Idle[]>()))
  return pool
}

const keyOf = (peer: string, protocol: string): string => `${peer}\u0000${protocol}`

/** Open both ways: neither side has closed or reset it. */
export function reusable(stream: Stream): boolean {
  return (
    stream.status === 'open' && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable'
  )
}

export function wrap(stream: Stream, maxDataLength: number): PooledStream {
  return { stream, lp: lpStream(stream, { maxDataLength }) }
}

/** An idle open stream to the peer for the protocol, taken out of the pool; undefined when there is none. */
export function takeStream(node: Libp2p, peer: string, protocol: string): PooledStream | undefined {
  const key = keyOf(peer, protocol)
  const idle = poolOf(node).get(key)
  while (idle !== undefined && idle.length > 0) {
    const entry = idle.pop()!
    clearTimeout(entry.timer)
    if (reusable(entry.stream)) return { stream: entry.stream, lp: entry.lp }
    entry.stream.abort(new Error('stale pooled stream'))
  }
  poolOf(node).delete(key)
  return undefined
}

/**
 * Gives a stream back after a complete exchange: kept for reuse for `idleMs`, or closed when the
 * pool is full or it is not reusable.
 */
export function giveStream(
  node: Libp2p,
  peer: string,
  protocol: string,
  pooled: PooledStream,
  idleMs: number = POOL_IDLE_MS,
): void {
  const pool = poolOf(node)
  const key = keyOf(peer, protocol)
  const idle = pool.get(key) ?? []
  if (!reusable(pooled.stream) || idle.length >= POOL_MAX_IDLE || node.status !== 'started') {
    closeQuietly(pooled.stream)
    return
  }
  const entry: Idle = {
    ...pooled,
    timer: setTimeout(() => {
      const list = pool.get(key)
      const at = list?.indexOf(entry) ?? -1
      if (list !== undefined && at >= 0) list.splice(at, 1)
      if (list?.length === 0) pool.delete(key)
      closeQuietly(entry.stream)
    }, idleMs),
  }
  entry.timer.unref()
  idle.push(entry)
  pool.set(key, idle)
}

function closeQuietly(stream: Stream): void {
  stream.close().catch((err: unknown) => stream.abort(err instanceof Error ? err : new Error(String(err))))
}
