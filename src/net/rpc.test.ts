/** rpc on two real hosts over loopback: streams are reused, and every way a reused stream can end is survived. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { boundAddrs, createDeviceHost } from './host.js'
import { request, send, serve } from './rpc.js'
import { POOL_MAX_IDLE } from './stream-pool.js'

const ECHO = '/parley-test/echo/1.0.0'
const FAIL = '/parley-test/fail/1.0.0'
const INBOX = '/parley-test/inbox/1.0.0'
/** Answers after the number of ms the request names. */
const SLOW = '/parley-test/slow/1.0.0'
/** Expects its first request within 300 ms. */
const HASTY = '/parley-test/hasty/1.0.0'
const hastyFailures: unknown[] = []
const inbox: string[] = []
const opts = { timeoutMs: 5_000, maxResponseBytes: 1024 }
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

let server: Libp2p
let client: Libp2p
const failures: unknown[] = []

beforeAll(async () => {
  server = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  client = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  await serve(server, ECHO, (p) => Promise.resolve(p), { maxRequestBytes: 1024, timeoutMs: 5_000 })
  await serve(server, FAIL, () => Promise.reject(new Error('handler failed')), {
    maxRequestBytes: 1024,
    timeoutMs: 5_000,
    onError: (err) => failures.push(err),
  })
  await serve(
    server,
    INBOX,
    (p) => {
      inbox.push(text(p))
      return Promise.resolve(undefined)
    },
    { maxRequestBytes: 1024, timeoutMs: 5_000 },
  )
  await serve(
    server,
    SLOW,
    async (p) => {
      await new Promise((r) => setTimeout(r, Number(text(p))))
      return p
    },
    { maxRequestBytes: 1024, timeoutMs: 5_000 },
  )
  await serve(server, HASTY, (p) => Promise.resolve(p), {
    maxRequestBytes: 1024,
    timeoutMs: 300,
    onError: (err) => hastyFailures.push(err),
  })
  await client.dial(multiaddr(boundAddrs(server)[0]))
})

afterAll(async () => {
  await client?.stop()
  await server?.stop()
})

const streams = (node: Libp2p, peer: Libp2p, protocol: string) =>
  node.getConnections(peer.peerId).flatMap((c) => c.streams.filter((s) => s.protocol === protocol))

describe('request', () => {
  it('answers one request after another on the same stream', async () => {
    for (let i = 0; i < 5; i++)
      expect(text(await request(client, server.peerId, ECHO, bytes(`m${i}`), opts))).toBe(`m${i}`)
    expect(streams(client, server, ECHO)).toHaveLength(1)
  })

  it('opens more streams for concurrent requests and keeps at most a few idle', async () => {
    const answers = await Promise.all(
      Array.from({ length: POOL_MAX_IDLE + 4 }, (_, i) =>
        request(client, server.peerId, ECHO, bytes(`c${i}`), opts),
      ),
    )
    expect(answers.map(text)).toEqual(Array.from({ length: POOL_MAX_IDLE + 4 }, (_, i) => `c${i}`))
    await expect.poll(() => streams(client, server, ECHO).length).toBeLessThanOrEqual(POOL_MAX_IDLE)
  })

  it('retries on a fresh stream when the server closed the idle one', async () => {
    await request(client, server.peerId, ECHO, bytes('before'), opts)
    for (const s of streams(server, client, ECHO)) s.abort(new Error('server went away'))
    expect(text(await request(client, server.peerId, ECHO, bytes('after'), opts))).toBe('after')
  })

  it('moves a request to the other open connection when the one its fresh stream was on closes mid-request', async () => {
    // What the connector does once a direct connection comes: it closes the relayed one, and a
    // first push or history request still on it broke, so a new device missed its contacts' presence.
    const fresh = { timeoutMs: 5_000, maxResponseBytes: 1_000 }
    const first = client.getConnections(server.peerId)[0]!
    const answer = request(client, server.peerId, SLOW, bytes('400'), fresh)
    await expect.poll(() => first.streams.filter((s) => s.protocol === SLOW).length).toBe(1)
    const second = await client.dial(multiaddr(boundAddrs(server)[0]), { force: true })
    expect(second.id).not.toBe(first.id)
    await first.close()
    expect(text(await answer)).toBe('400')
    // With no other connection open it still fails, rather than dialling on its own.
    const lone = request(client, server.peerId, SLOW, bytes('400'), { ...fresh, maxResponseBytes: 1_001 })
    await expect.poll(() => second.streams.filter((s) => s.protocol === SLOW).length).toBeGreaterThan(0)
    await second.close()
    await expect(lone).rejects.toThrow()
    await client.dial(multiaddr(boundAddrs(server)[0]))
  })

  it('serves a client that closes after one answer, as older clients do', async () => {
    const stream = await client.dialProtocol(server.peerId, ECHO)
    const lp = lpStream(stream)
    await lp.write(bytes('once'))
    expect(text((await lp.read()).subarray())).toBe('once')
    await stream.close()
    // The server reads the end of the stream and closes its side too.
    await expect.poll(() => stream.status).toBe('closed')
  })

  it("ends only that stream when a handler fails, and the caller's next request works", async () => {
    await expect(request(client, server.peerId, FAIL, bytes('x'), opts)).rejects.toThrow()
    expect(failures.length).toBeGreaterThan(0)
    expect(text(await request(client, server.peerId, ECHO, bytes('still here'), opts))).toBe('still here')
  })

  it('rejects an answer that comes too late with TimeoutError, on a fresh stream and on a pooled one, and the next works', async () => {
    const late = { ...opts, timeoutMs: 300 }
    // Fresh: no stream to the slow protocol yet.
    await expect(request(client, server.peerId, SLOW, bytes('1000'), late)).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }),
    )
    // Pooled: one quick exchange leaves its stream idle for the next.
    expect(text(await request(client, server.peerId, SLOW, bytes('0'), late))).toBe('0')
    const started = performance.now()
    await expect(request(client, server.peerId, SLOW, bytes('1000'), late)).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }),
    )
    // At its deadline, not when the answer would have come.
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(text(await request(client, server.peerId, SLOW, bytes('5'), late))).toBe('5')
  })

  it('ends a stream whose first request does not come in time, and tells the server why', async () => {
    const stream = await client.dialProtocol(server.peerId, HASTY)
    await expect.poll(() => hastyFailures.length, { timeout: 5_000 }).toBe(1)
    expect(hastyFailures[0]).toEqual(expect.objectContaining({ name: 'TimeoutError' }))
    await expect.poll(() => stream.status, { timeout: 5_000 }).not.toBe('open')
    expect(text(await request(client, server.peerId, HASTY, bytes('in time'), opts))).toBe('in time')
  })

  it('refuses an answer over the cap without breaking the pool', async () => {
    const big = new Uint8Array(2048)
    await expect(request(client, server.peerId, ECHO, big, opts)).rejects.toThrow()
    expect(text(await request(client, server.peerId, ECHO, bytes('small'), opts))).toBe('small')
  })
})

describe('send', () => {
  it('delivers one-way messages in order on one stream, and again after the server closed it', async () => {
    for (let i = 0; i < 5; i++) await send(client, server.peerId, INBOX, bytes(`s${i}`), 5_000)
    await expect.poll(() => inbox.length).toBe(5)
    expect(inbox).toEqual(['s0', 's1', 's2', 's3', 's4'])
    expect(streams(client, server, INBOX)).toHaveLength(1)
    for (const s of streams(server, client, INBOX)) s.abort(new Error('server went away'))
    await expect.poll(() => streams(client, server, INBOX).length).toBe(0)
    await send(client, server.peerId, INBOX, bytes('after'), 5_000)
    await expect.poll(() => inbox.at(-1)).toBe('after')
  })
})
