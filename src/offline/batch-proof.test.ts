/** Reading a batch-signed deposit's index and path against its known body and root: only what the decoder reads the same. */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { BatchSigned, decodeBatchSigned } from '../wire/batch.js'
import { plain } from '../wire/bytes.js'
import { DEPOSIT_BATCH } from '../wire/offline-signed.js'
import { OfflineKeys, type TestDevice } from './auth.fixtures.js'
import { proofAfter } from './batch-proof.js'
import { signDepositBatch } from './deposit.js'
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
  ciphertext: rnd(100),
  copies: [{ deviceId: 'phone', ephemeral: rnd(32), wrapped: rnd(72) }],
})

describe('proofAfter', () => {
  it('reads each deposit of a batch as the decoder does, index 0 included', () => {
    const deposits = signDepositBatch(Array.from({ length: 37 }, item), alice.certificate, alice.signer)
    for (const d of deposits) {
      const doc = decodeBatchSigned(d, DEPOSIT_BATCH)
      expect(proofAfter(d, doc.body, doc.root)).toEqual({ index: doc.index, path: doc.path })
    }
  })

  it('reads nothing but the canonical bytes of that body and root', () => {
    const [, d] = signDepositBatch([item(), item()], alice.certificate, alice.signer)
    const doc = decodeBatchSigned(d!, DEPOSIT_BATCH)
    const other = decodeBatchSigned(
      signDepositBatch([item()], alice.certificate, alice.signer)[0]!,
      DEPOSIT_BATCH,
    )
    expect(proofAfter(d!, other.body, doc.root)).toBeUndefined()
    expect(proofAfter(d!, doc.body, other.root)).toBeUndefined()
    expect(proofAfter(Uint8Array.of(...d!, 0x2a, 0x20, ...rnd(31)), doc.body, doc.root)).toBeUndefined()
    expect(proofAfter(Uint8Array.of(...d!, 0x30, 0x01), doc.body, doc.root)).toBeUndefined()
    // Index 0 written out, and index 1 in two bytes: canonical bytes leave out the one and shorten the other.
    const zero = BatchSigned.encode({
      body: plain(doc.body),
      root: plain(doc.root),
      index: 0,
      path: doc.path.map(plain),
    })
    const at = zero.byteLength - doc.path.length * 34
    const written = Uint8Array.of(...zero.subarray(0, at), 0x20, 0x00, ...zero.subarray(at))
    expect(proofAfter(written, doc.body, doc.root)).toBeUndefined()
    const padded = Uint8Array.of(...zero.subarray(0, at), 0x20, 0x81, 0x00, ...zero.subarray(at))
    expect(proofAfter(padded, doc.body, doc.root)).toBeUndefined()
  })

  it('accepts a changed deposit only as the decoder reads it', () => {
    const [d] = signDepositBatch([item(), item(), item()], alice.certificate, alice.signer)
    const doc = decodeBatchSigned(d!, DEPOSIT_BATCH)
    const differ: Uint8Array[] = []
    for (let n = 0; n < 3000; n++) {
      const bytes = Uint8Array.from(d!)
      bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256)
      const fast = proofAfter(bytes, doc.body, doc.root)
      if (fast === undefined) continue
      let full
      try {
        full = decodeBatchSigned(bytes, DEPOSIT_BATCH)
      } catch {
        differ.push(bytes)
        continue
      }
      if (JSON.stringify(full) !== JSON.stringify({ ...doc, index: fast.index, path: fast.path }))
        differ.push(bytes)
    }
    expect(differ).toEqual([])
  })
})
