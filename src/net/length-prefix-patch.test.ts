/**
 * patches/@libp2p+utils+*.patch (applied by patch-package at install): the
 * length-prefixed decoder under every Noise connection used to throw and
 * catch a RangeError at the end of every chunk it read, to learn that no
 * length prefix was left. Building that error (its stack trace) was 4-7% of
 * a supernode's and of a device's busy time in bench:directory; 4.2 µs a
 * chunk against 0.4 without, in a bare loop. This fails when the patch is
 * not applied (a fresh install that skipped it, or a version it no longer
 * fits).
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'

const real = globalThis.RangeError
afterEach(() => {
  globalThis.RangeError = real
})

/** Noise's frame length: two bytes, big-endian; too short a buffer is a RangeError (as @libp2p/noise's encoder). */
function uint16BE(data: { byteLength: number; get(i: number): number }): number {
  if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
  return (data.get(0) << 8) + data.get(1)
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
