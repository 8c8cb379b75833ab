/** pipelined requests on two real hosts over loopback: handled in the order made, and a broken stream fails every later one. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boundAddrs, createDeviceHost } from './host.js'
import { pipelined } from './pipeline.js'
import { serve } from './rpc.js'

const ORDER = '/parley-test/order/1.0.0'
const opts = { timeoutMs: 5_000, maxResponseBytes: 1024 }
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)
/** What the server handled, in order. */
const handled: string[] = []

let server: Libp2p
let client: Libp2p

beforeAll(async () => {
  server = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  client = await createDeviceHost({ privateKey: await generateKeyPair('Ed25519'), host: '127.0.0.1' })
  await serve(
    server,
    ORDER,
    async (p) => {
      const s = text(p)
      if (s === 'break') throw new Error('handler failed')
      // Uneven handling times: a later request is never answered first.
      await new Promise((r) => setTimeout(r, s.length % 3))
      handled.push(s)
      return bytes(`ok ${s}`)
    },
    { maxRequestBytes: 1024, timeoutMs: 5_000 },
  )
  await client.dial(multiaddr(boundAddrs(server)[0]))
})

afterAll(async () => {
  await client?.stop()
  await server?.stop()
})

const streams = () =>
  client.getConnections(server.peerId).flatMap((c) => c.streams.filter((s) => s.protocol === ORDER))

describe('pipelined', () => {
  it('has the peer handle requests made at once in the order they were made, on one stream', async () => {
    handled.length = 0
    const names = Array.from({ length: 40 }, (_, i) => `r${i}${'x'.repeat(i % 5)}`)
    const answers = await Promise.all(
      names.map((n) => pipelined(client, server.peerId, ORDER, bytes(n), opts)),
    )
    expect(answers.map(text)).toEqual(names.map((n) => `ok ${n}`))
    expect(handled).toEqual(names)
    expect(streams()).toHaveLength(1)
  })

  it('fails every request after one the stream broke on, and the next goes out on a fresh stream', async () => {
    handled.length = 0
    const names = ['a', 'b', 'break', 'c', 'd']
    const results = await Promise.allSettled(
      names.map((n) => pipelined(client, server.peerId, ORDER, bytes(n), opts)),
    )
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ])
    // Nothing after the failed request was handled: it cannot overtake it.
    expect(handled).toEqual(['a', 'b'])
    expect(text(await pipelined(client, server.peerId, ORDER, bytes('e'), opts))).toBe('ok e')
    expect(handled).toEqual(['a', 'b', 'e'])
  })
})
