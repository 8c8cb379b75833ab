/**
 * The library fixes in patches/ (applied by patch-package at install).
 * Each test fails when its patch is not applied (a fresh install that skipped
 * it, or a version it no longer fits).
 *
 * - @libp2p/utils: the length-prefixed decoder under every Noise connection
 *   threw and caught a RangeError at the end of every chunk it read, to learn
 *   that no length prefix was left. Building that error (its stack trace) was
 *   4-7% of a supernode's and of a device's busy time in bench:directory;
 *   4.2 µs a chunk against 0.4 without, in a bare loop. And a length-prefixed
 *   stream read a message's varint length one byte at a time, throwing and
 *   catching a RangeError for each byte of a length past 127 (7.6% of the
 *   bench process's busy time); it now waits while the last byte says more
 *   follow, and refuses at once a length longer than the longest allowed
 *   (before, endless continuation bytes were read until the deadline).
 * - @libp2p/tcp: each part of a Noise frame (its length, ciphertext and tag)
 *   went out in its own socket write, a system call each: 8 writes for a
 *   request and its answer. Corked, a frame's parts leave in one writev.
 * - @libp2p/yamux: every data frame received was answered with a window
 *   update, so a request and its answer were 4 frames, each encrypted,
 *   written, read and decrypted. As in Go's yamux, an update now goes once
 *   half the receive window is used.
 */
import net from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { boundAddrs, createDeviceHost } from './host.js'
import { request, serve } from './rpc.js'

const real = globalThis.RangeError
afterEach(() => {
  globalThis.RangeError = real
})

/** Noise's frame length: two bytes, big-endian; too short a buffer is a RangeError (as @libp2p/noise's encoder). */
function uint16BE(data: Uint8Array | { byteLength: number; get(i: number): number }): number {
  if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
  const at = (i: number): number => (data instanceof Uint8Array ? data[i]! : data.get(i))
  return (at(0) << 8) + at(1)
}

describe("the Noise connection's frame decoder", () => {
  it('reads whole frames without building an error at the end of each chunk', () => {
    let built = 0
    globalThis.RangeError = new Proxy(real, {
      construct(target, args: [string?]) {
        built++
        return new target(...args)
      },
    })
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: uint16BE, encodingLength: () => 2 })
    const frame = (n: number) => Uint8Array.from([n >> 8, n & 0xff, ...new Uint8Array(n).fill(7)])
    const chunk = Uint8Array.from([...frame(3), ...frame(5)])
    const read: number[] = []
    for (let i = 0; i < 10; i++) for (const f of decoder.decode(chunk)) read.push(f.byteLength)
    expect(read).toEqual(Array.from({ length: 10 }, () => [3, 5]).flat())
    expect(built).toBe(0)
  })

  it('still waits for the rest of a frame split across chunks', () => {
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: uint16BE, encodingLength: () => 2 })
    expect([...decoder.decode(Uint8Array.from([0]))]).toEqual([])
    expect([...decoder.decode(Uint8Array.from([2, 9]))]).toEqual([])
    expect([...decoder.decode(Uint8Array.from([9]))].map((f) => f.subarray())).toEqual([
      Uint8Array.from([9, 9]),
    ])
  })
})

describe('two hosts over TCP', () => {
  const proto = '/parley-test/echo/1.0.0'
  const opts = { timeoutMs: 5_000, maxResponseBytes: 4096 }
  const failures: unknown[] = []
  let server: Libp2p
  let client: Libp2p

  beforeAll(async () => {
    server = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
    client = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
    await serve(server, proto, (p) => Promise.resolve(p), {
      maxRequestBytes: 4096,
      timeoutMs: 5_000,
      onError: (err) => failures.push(err),
    })
    await client.dial(multiaddr(boundAddrs(server)[0]))
    // The stream opened and pooled first: the tests count what a pooled exchange does.
    await request(client, server.peerId, proto, new Uint8Array(100), opts)
  })

  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  it("writes a frame's parts in one system call, and no window update per frame: 2 writes a request and its answer", async () => {
    // The socket's two ways into the kernel: one buffer, or several at once (corked).
    type Writer = (this: net.Socket, ...args: unknown[]) => unknown
    const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', Writer>
    const { _write: write, _writev: writev } = socket
    let writes = 0
    socket._write = function (...args) {
      writes++
      return write.apply(this, args)
    }
    socket._writev = function (...args) {
      writes++
      return writev.apply(this, args)
    }
    try {
      const n = 50
      for (let i = 0; i < n; i++) await request(client, server.peerId, proto, new Uint8Array(100), opts)
      // Rounded: a keepalive ping now and then is not what this counts.
      expect(Math.round(writes / n)).toBe(2)
    } finally {
      socket._write = write
      socket._writev = writev
    }
  })

  it('reads messages with a two-byte length without building an error', async () => {
    let built = 0
    globalThis.RangeError = new Proxy(real, {
      construct(target, args: [string?]) {
        built++
        return new target(...args)
      },
    })
    for (let i = 0; i < 20; i++)
      expect((await request(client, server.peerId, proto, new Uint8Array(1000).fill(i), opts))[0]).toBe(i)
    expect(built).toBe(0)
  })

  it('refuses at once a length longer than the longest message allowed', async () => {
    const stream = await client.dialProtocol(server.peerId, proto)
    // 4,096 bytes at most: a length of two bytes at most; three continuation bytes say it is longer.
    stream.send(Uint8Array.from([0x80, 0x80, 0x80]))
    await expect.poll(() => failures.length, { timeout: 4_000 }).toBe(1)
    expect(failures[0]).toEqual(expect.objectContaining({ name: 'InvalidDataLengthLengthError' }))
  })
})
