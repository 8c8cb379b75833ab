/**
 * The two library fixes in patches/ (applied by patch-package at install).
 * Each test fails when its patch is not applied (a fresh install that skipped
 * it, or a version it no longer fits).
 *
 * - @libp2p/utils: the length-prefixed decoder under every Noise connection
 *   threw and caught a RangeError at the end of every chunk it read, to learn
 *   that no length prefix was left. Building that error (its stack trace) was
 *   4-7% of a supernode's and of a device's busy time in bench:directory;
 *   4.2 µs a chunk against 0.4 without, in a bare loop.
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
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
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

describe('a TCP connection', () => {
  it("writes a frame's parts in one system call, and no window update per frame: 2 writes a request and its answer", async () => {
    const server = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
    const client = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
    const proto = '/parley-test/echo/1.0.0'
    const opts = { timeoutMs: 5_000, maxResponseBytes: 1024 }
    // The socket's two ways into the kernel: one buffer, or several at once (corked).
    type Writer = (this: net.Socket, ...args: unknown[]) => unknown
    const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', Writer>
    const { _write: write, _writev: writev } = socket
    try {
      await serve(server, proto, (p) => Promise.resolve(p), { maxRequestBytes: 1024, timeoutMs: 5_000 })
      await client.dial(multiaddr(boundAddrs(server)[0]))
      // The stream opened and pooled first; then count what a pooled exchange writes.
      await request(client, server.peerId, proto, new Uint8Array(100), opts)
      let writes = 0
      socket._write = function (...args) {
        writes++
        return write.apply(this, args)
      }
      socket._writev = function (...args) {
        writes++
        return writev.apply(this, args)
      }
      const n = 50
      for (let i = 0; i < n; i++) await request(client, server.peerId, proto, new Uint8Array(100), opts)
      // Rounded: a keepalive ping now and then is not what this counts.
      expect(Math.round(writes / n)).toBe(2)
    } finally {
      socket._write = write
      socket._writev = writev
      await client.stop()
      await server.stop()
    }
  })
})
