/** Taking a deposit apart for storage and putting it back: always the same bytes, or not taken apart. */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { OfflineKeys, type TestDevice } from './auth.fixtures.js'
import { signDeposit, signDepositBatch } from './deposit.js'
import { joinDeposit, splitDeposit } from './deposit-parts.js'
import type { OfflineItem } from './types.js'

let alice: TestDevice
beforeAll(async () => {
  alice = await (await OfflineKeys.create()).device('alice')
})

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
const item = (): OfflineItem => ({
  id: rnd(16),
  recipient: 'bob',
  sender: 'alice',
  storedAt: 0,
  nonce: rnd(24),
  ciphertext: rnd(300),
  copies: [
    { deviceId: 'phone', ephemeral: rnd(32), wrapped: rnd(72) },
    { deviceId: 'laptop', ephemeral: rnd(32), wrapped: rnd(72) },
  ],
})

describe('splitDeposit / joinDeposit', () => {
  it('a batch’s deposits share their certificate and root, and each joins back byte for byte', () => {
    const deposits = signDepositBatch([item(), item(), item()], alice.certificate, alice.signer)
    const parts = deposits.map((d) => splitDeposit(d)!)
    expect(parts.map((p) => Buffer.from(p.certificate))).toEqual(
      Array(3).fill(Buffer.from(alice.certificate)),
    )
    expect(Buffer.from(parts[1]!.root)).toEqual(Buffer.from(parts[0]!.root))
    // What an item keeps alone is under half of its deposit.
    for (const [i, p] of parts.entries()) {
      expect(p.rest.byteLength).toBeLessThan(deposits[i]!.byteLength / 2)
      expect(joinDeposit(p)).toEqual(deposits[i])
    }
  })

  it('leaves a deposit signed alone, bytes of another shape and padded lengths whole', () => {
    expect(splitDeposit(signDeposit(item(), alice.certificate, alice.signer))).toBeUndefined()
    const [batched] = signDepositBatch([item()], alice.certificate, alice.signer)
    // The body's length one byte longer than it needs (a trailing 0x00 group): joining would write it shorter.
    let end = 1
    while (batched![end]! & 0x80) end++
    const padded = Uint8Array.of(
      ...batched!.subarray(0, end),
      batched![end]! | 0x80,
      0x00,
      ...batched!.subarray(end + 1),
    )
    expect(splitDeposit(padded)).toBeUndefined()
    expect(splitDeposit(batched!.subarray(0, 40))).toBeUndefined()
    expect(splitDeposit(new Uint8Array(0))).toBeUndefined()
  })

  it('gives back exactly the bytes it took apart, whatever they are', () => {
    const [batched] = signDepositBatch([item()], alice.certificate, alice.signer)
    const changed: Uint8Array[] = []
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from(batched!)
      for (let k = 0; k < 3; k++)
        bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256)
      const parts = splitDeposit(bytes)
      if (parts !== undefined && !Buffer.from(joinDeposit(parts)).equals(bytes)) changed.push(bytes)
    }
    expect(changed).toEqual([])
    expect(() => joinDeposit({ certificate: rnd(4), root: rnd(4), rest: Uint8Array.of(0x7f) })).toThrow(
      RangeError,
    )
  })
})
