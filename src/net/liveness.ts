/**
 * Connection liveness through the muxer's own ping frame. A yamux PING is one
 * 12-byte frame each way on stream 0: no new stream, no multistream-select,
 * no handler, no window updates. libp2p's connection monitor and the ping
 * protocol open a stream per ping (about ten frames each way), and both share
 * `/ipfs/ping/1.0.0`, whose one outbound stream per connection made the
 * monitor abort healthy connections whenever a keepalive ping was in flight.
 */
import type { Connection } from '@libp2p/interface'

export class LivenessError extends Error {
  override name = 'LivenessError'
}

interface MuxerWithPing {
  ping(options?: { signal?: AbortSignal }): Promise<number>
}

function muxerOf(connection: Connection): MuxerWithPing | undefined {
  const muxer = (connection as unknown as { muxer?: Partial<MuxerWithPing> }).muxer
  return typeof muxer?.ping === 'function' ? (muxer as MuxerWithPing) : undefined
}

/** True when the connection's muxer can ping (yamux can; a muxer without pings falls back to the ping protocol). */
export function canMuxerPing(connection: Connection): boolean {
  return muxerOf(connection) !== undefined
}

/**
 * Round trip of one muxer ping, rejected with LivenessError when no answer
 * came within `timeoutMs`. The ping itself is never cancelled: yamux keeps one
 * ping in flight per connection, later callers share it, and a pong arriving
 * after its ping was cancelled is a protocol error that makes yamux abort the
 * whole connection. So a slow answer is a miss here, never a lost connection.
 */
export async function muxerPing(connection: Connection, timeoutMs: number): Promise<number> {
  const muxer = muxerOf(connection)
  if (muxer === undefined) throw new LivenessError('the connection has no muxer ping')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LivenessError(`no pong within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([muxer.ping(), late])
  } finally {
    clearTimeout(timer)
  }
}

export interface LivenessInit {
  /** How often every connection is pinged (default 10 s, libp2p's monitor's cadence). */
  intervalMs?: number
  /** A ping not answered within this is a miss (default 5 s, the monitor's minimum). */
  timeoutMs?: number
  /** Consecutive misses before the connection is aborted (default 2). */
  misses?: number
}

export interface LivenessComponents {
  connectionManager: { getConnections(): Connection[] }
}

/**
 * Pings every open connection with the muxer's ping and aborts one that
 * missed `misses` times in a row: a frozen or vanished peer's connection goes,
 * and with it the peer's admission slot and relay reservation.
 */
export class ConnectionLiveness {
  private timer: NodeJS.Timeout | undefined
  private readonly missed = new Map<string, number>()
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly maxMisses: number

  constructor(
    private readonly components: LivenessComponents,
    init: LivenessInit = {},
  ) {
    this.intervalMs = init.intervalMs ?? 10_000
    this.timeoutMs = Math.min(init.timeoutMs ?? 5_000, this.intervalMs)
    this.maxMisses = Math.max(1, init.misses ?? 2)
  }

  readonly [Symbol.toStringTag] = '@parley/connection-liveness'

  start(): void {
    this.timer = setInterval(() => this.check(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.missed.clear()
  }

  /** One round: pings every open connection; forgets connections that closed. */
  check(): void {
    const open = new Set<string>()
    for (const connection of this.components.connectionManager.getConnections()) {
      if (connection.status !== 'open' || !canMuxerPing(connection)) continue
      open.add(connection.id)
      muxerPing(connection, this.timeoutMs).then(
        () => this.missed.delete(connection.id),
        (err: unknown) => {
          const misses = (this.missed.get(connection.id) ?? 0) + 1
          if (misses < this.maxMisses) {
            this.missed.set(connection.id, misses)
            return
          }
          this.missed.delete(connection.id)
          connection.abort(err instanceof Error ? err : new LivenessError(String(err)))
        },
      )
    }
    for (const id of this.missed.keys()) if (!open.has(id)) this.missed.delete(id)
  }
}

/** A libp2p service factory: `services: { liveness: connectionLiveness({ intervalMs: 30_000 }) }`. */
export function connectionLiveness(
  init: LivenessInit = {},
): (components: LivenessComponents) => ConnectionLiveness {
  return (components) => new ConnectionLiveness(components, init)
}
