/**
 * Requests to one peer that it handles in the order they were made: written
 * one after another on one stream without waiting for the answers. The
 * server (`serve`, rpc.ts) reads a stream's next request only after it has
 * answered the one before, so the answers come back in the same order. Two
 * `request`s on two streams promise no order: a push that opens a fresh
 * stream can be handled after one sent later on a pooled stream.
 *
 * A failure of the stream (a request's deadline passed, the peer reset it,
 * an answer too large) fails every request written on it and every one
 * waiting to be: a later request never succeeds where an earlier one failed
 * with the stream, so the peer never takes them out of order. The next
 * request opens a fresh stream.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { Deadline } from './deadline.js'
import { openStream, RpcError } from './rpc.js'
import { count } from './rpc-stats.js'
import { POOL_IDLE_MS, reusable, wrap, type PooledStream } from './stream-pool.js'

export interface PipelineOptions {
  /** From the moment the request is made until its answer, waiting behind earlier ones included. */
  timeoutMs: number
  maxResponseBytes: number
}

interface Pending {
  payload: Uint8Array
  /** Written again once already, on a fresh stream after the peer closed the one it was on. */
  retried: boolean
  deadline: Deadline
  resolve(answer: Uint8Array): void
  reject(err: Error): void
}

/** One stream and the requests written on it, answered in order. */
interface Channel {
  pooled: PooledStream
  unanswered: Pending[]
  reading: boolean
  /** Aborted when the channel fails: its write and read wake up. */
  controller: AbortController
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new RpcError(String(err))
}

class Lane {
  private channel: Channel | undefined
  private readonly unsent: Pending[] = []
  private writing = false
  /** Aborted when the lane fails while a stream is being opened. */
  private opening: AbortController | undefined
  private idle: NodeJS.Timeout | undefined

  constructor(
    private readonly node: Libp2p,
    private readonly peer: PeerId,
    private readonly protocol: string,
    private readonly maxResponseBytes: number,
    private readonly forget: (lane: Lane) => void,
  ) {}

  request(payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    count(this.protocol, 'sent')
    clearTimeout(this.idle)
    return new Promise<Uint8Array>((resolve, reject) => {
      const deadline = new Deadline(timeoutMs)
      const pending: Pending = { payload, retried: false, deadline, resolve, reject }
      // The answers come in order: one past its deadline holds every later one, so the stream is done.
      deadline.signal.addEventListener('abort', () => this.fail(asError(deadline.signal.reason)), {
        once: true,
      })
      this.unsent.push(pending)
      void this.write()
    })
  }

  private async write(): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (this.unsent.length > 0) {
        const channel = await this.open().catch((err: unknown) => {
          this.fail(asError(err))
          return undefined
        })
        // Failed while the stream opened (what was waiting has been told): later requests get a fresh one.
        if (channel === undefined || channel !== this.channel) continue
        const pending = this.unsent.shift()!
        channel.unanswered.push(pending)
        if (!channel.reading) void this.read(channel)
        try {
          await channel.pooled.lp.write(pending.payload, { signal: channel.controller.signal })
        } catch (err) {
          if (this.channel === channel) this.fail(asError(err), true)
          else this.drop(channel, asError(err))
        }
      }
    } finally {
      this.writing = false
    }
    this.whenIdle()
  }

  /**
   * The lane's stream: the open one, or a fresh one when there is none or the peer closed it;
   * undefined when the lane failed while it was opened.
   */
  private async open(): Promise<Channel | undefined> {
    const current = this.channel
    if (current !== undefined && (current.unanswered.length > 0 || reusable(current.pooled.stream)))
      return current
    if (current !== undefined) {
      this.channel = undefined
      this.drop(current, new RpcError('stream closed by the peer'))
    }
    const opening = new AbortController()
    this.opening = opening
    try {
      const stream = await openStream(this.node, this.peer, this.protocol, opening.signal)
      if (opening.signal.aborted) {
        stream.abort(asError(opening.signal.reason))
        return undefined
      }
      this.channel = {
        pooled: wrap(stream, this.maxResponseBytes),
        unanswered: [],
        reading: false,
        controller: new AbortController(),
      }
      return this.channel
    } catch (err) {
      if (opening.signal.aborted) return undefined
      throw err
    } finally {
      if (this.opening === opening) this.opening = undefined
    }
  }

  private async read(channel: Channel): Promise<void> {
    channel.reading = true
    try {
      while (channel.unanswered.length > 0) {
        const answer = await channel.pooled.lp.read({ signal: channel.controller.signal })
        const pending = channel.unanswered.shift()
        pending?.deadline.clear()
        pending?.resolve(answer.subarray())
      }
    } catch (err) {
      if (this.channel === channel) this.fail(asError(err), true)
      else this.drop(channel, asError(err))
    } finally {
      channel.reading = false
    }
    this.whenIdle()
  }

  /**
   * The stream failed: every request on it and every one waiting for it fails. When the stream
   * itself broke (`retry`: the peer closed it, or the connection it was on went away, not a
   * deadline), they are written again once, in the same order, on a fresh stream, as rpc.ts
   * retries a pooled stream: the peer may take one twice, which every Parley request allows.
   */
  private fail(err: Error, retry = false): void {
    const channel = this.channel
    this.channel = undefined
    this.opening?.abort(err)
    const waiting = [...(channel?.unanswered.splice(0) ?? []), ...this.unsent.splice(0)]
    if (channel !== undefined) this.drop(channel, err)
    if (retry && waiting.length > 0 && waiting.every((p) => !p.retried)) {
      for (const p of waiting) p.retried = true
      this.unsent.push(...waiting)
      void this.write()
      return
    }
    for (const pending of waiting) {
      pending.deadline.clear()
      pending.reject(err)
    }
    this.whenIdle()
  }

  private drop(channel: Channel, err: Error): void {
    channel.controller.abort(err)
    channel.pooled.stream.abort(err)
    for (const pending of channel.unanswered.splice(0)) {
      pending.deadline.clear()
      pending.reject(err)
    }
  }

  /** Nothing in flight: the stream is closed after POOL_IDLE_MS unless a request comes. */
  private whenIdle(): void {
    if (this.writing || this.unsent.length > 0 || (this.channel?.unanswered.length ?? 0) > 0) return
    clearTimeout(this.idle)
    this.idle = setTimeout(() => {
      const channel = this.channel
      this.channel = undefined
      this.forget(this)
      channel?.pooled.stream.close().catch((err: unknown) => channel.pooled.stream.abort(asError(err)))
    }, POOL_IDLE_MS)
    this.idle.unref()
  }
}

const lanes = new WeakMap<Libp2p, Map<string, Lane>>()

/**
 * One request to `peer`, handled by it after every earlier `pipelined` request to the same peer and
 * protocol and before every later one (over the best open connection, else dialled).
 */
export function pipelined(
  node: Libp2p,
  peer: PeerId,
  protocol: string,
  payload: Uint8Array,
  opts: PipelineOptions,
): Promise<Uint8Array> {
  let byKey = lanes.get(node)
  if (byKey === undefined) lanes.set(node, (byKey = new Map<string, Lane>()))
  const key = `${peer.toString()}\u0000${protocol}\u0000${opts.maxResponseBytes}`
  let lane = byKey.get(key)
  if (lane === undefined) {
    const map = byKey
    const fresh = new Lane(node, peer, protocol, opts.maxResponseBytes, (l) => {
      if (map.get(key) === l) map.delete(key)
    })
    byKey.set(key, (lane = fresh))
  }
  return lane.request(payload, opts.timeoutMs)
}
