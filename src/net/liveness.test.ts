import type { Connection } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { canMuxerPing, ConnectionLiveness, LivenessError, muxerPing } from './liveness.js'

/** A connection whose muxer answers pings as told: 'answer', 'silent' (never), or after a delay. */
class FakeConnection {
  status: 'open' | 'closed' = 'open'
  aborted: Error | undefined
  pings = 0
  signals: unknown[] = []
  mode: 'answer' | 'silent' = 'answer'
  readonly muxer = {
    ping: (options?: { signal?: AbortSignal }): Promise<number> => {
      this.pings++
      this.signals.push(options?.signal)
      return this.mode === 'answer' ? Promise.resolve(1) : new Promise<number>(() => undefined)
    },
  }
  constructor(readonly id: string) {}
  abort(err: Error): void {
    this.aborted = err
    this.status = 'closed'
  }
}

const asConnection = (c: object): Connection => c as unknown as Connection

describe('muxerPing', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('answers with the muxer round trip', async () => {
    await expect(muxerPing(asConnection(new FakeConnection('a')), 1_000)).resolves.toBe(1)
  })

  it('is a LivenessError when no pong comes in time, and never cancels the ping itself', async () => {
    const c = new FakeConnection('a')
    c.mode = 'silent'
    const result = muxerPing(asConnection(c), 1_000)
    const caught = result.catch((err: unknown) => err)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await caught).toBeInstanceOf(LivenessError)
    // A signal would let yamux drop its ping, and the late pong would then abort the connection.
    expect(c.signals).toEqual([undefined])
  })

  it('refuses a connection whose muxer cannot ping', async () => {
    const plain = asConnection({ id: 'p', status: 'open', muxer: {} })
    expect(canMuxerPing(plain)).toBe(false)
    await expect(muxerPing(plain, 1_000)).rejects.toBeInstanceOf(LivenessError)
  })
})

describe('ConnectionLiveness', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const setup = (conns: FakeConnection[]) =>
    new ConnectionLiveness(
      { connectionManager: { getConnections: () => conns.map(asConnection) } },
      { intervalMs: 10_000, timeoutMs: 5_000, misses: 2 },
    )

  it('aborts a connection only after two missed pings in a row', async () => {
    const silent = new FakeConnection('s')
    silent.mode = 'silent'
    const healthy = new FakeConnection('h')
    const liveness = setup([silent, healthy])
    liveness.check()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(silent.aborted).toBeUndefined()
    liveness.check()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(silent.aborted).toBeInstanceOf(LivenessError)
    expect(healthy.aborted).toBeUndefined()
    expect(healthy.pings).toBe(2)
  })

  it('forgives a miss once the connection answers again', async () => {
    const c = new FakeConnection('c')
    const liveness = setup([c])
    c.mode = 'silent'
    liveness.check()
    await vi.advanceTimersByTimeAsync(5_000)
    c.mode = 'answer'
    liveness.check()
    await vi.advanceTimersByTimeAsync(5_000)
    c.mode = 'silent'
    liveness.check()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(c.aborted).toBeUndefined()
  })

  it('skips closed connections and those without a muxer ping', async () => {
    const closed = new FakeConnection('x')
    closed.status = 'closed'
    const plain = { id: 'p', status: 'open', muxer: {}, abort: vi.fn() }
    const liveness = new ConnectionLiveness({
      connectionManager: { getConnections: () => [asConnection(closed), asConnection(plain)] },
    })
    liveness.check()
    await vi.advanceTimersByTimeAsync(20_000)
    expect(closed.pings).toBe(0)
    expect(plain.abort).not.toHaveBeenCalled()
  })

  it('pings on its own timer between start and stop', async () => {
    const c = new FakeConnection('c')
    const liveness = setup([c])
    liveness.start()
    await vi.advanceTimersByTimeAsync(30_000)
    liveness.stop()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(c.pings).toBe(3)
  })
})
