import { describe, expect, it } from 'vitest'
import { ChatLimits, SealedItem } from '../wire/chat.js'
import { requestBatches, sealedItemBytesAtMost } from './offline-replicas.js'

const bytes = (n: number) => new Uint8Array(n).fill(7)

function item(over: Partial<SealedItem> & { copyCount?: number; deviceId?: string } = {}): SealedItem {
  const { copyCount = 1, deviceId = '12D3KooWbobphone', ...rest } = over
  return {
    id: bytes(16),
    recipient: 'bob',
    sender: 'alice',
    storedAt: BigInt(Date.now()),
    nonce: bytes(24),
    ciphertext: bytes(500),
    copies: Array.from({ length: copyCount }, (_, i) => ({
      deviceId: `${deviceId}${i}`,
      ephemeral: bytes(32),
      wrapped: bytes(72),
    })),
    deposit: bytes(900),
    ...rest,
  }
}

describe('sizing items for store requests', () => {
  it('never under the encoded size, and at most a few bytes over', () => {
    const cases = [
      item(),
      item({ sender: '', storedAt: 0n, deposit: new Uint8Array(0), copyCount: 0 }),
      item({ storedAt: 2n ** 63n - 1n, copyCount: 8 }),
      item({ recipient: 'zoë', sender: 'åsa', deviceId: 'd'.repeat(200) }),
      ...[0, 1, 127, 128, 16_383, 16_384, 300_000, 2_097_152].map((n) => item({ ciphertext: bytes(n) })),
    ]
    for (const c of cases) {
      const encoded = SealedItem.encode(c).byteLength
      const bound = sealedItemBytesAtMost(c)
      expect(bound).toBeGreaterThanOrEqual(encoded)
      expect(bound - encoded).toBeLessThanOrEqual(16 + 2 * c.copies.length)
    }
  })

  it('splits large items into requests under the wire cap', () => {
    const big = Array.from({ length: 12 }, () => item({ ciphertext: bytes(1_000_000) }))
    const requests = requestBatches(big)
    expect(requests.flat()).toHaveLength(12)
    for (const r of requests) {
      const total = r.reduce((n, i) => n + SealedItem.encode(i).byteLength + 8, 0)
      expect(total).toBeLessThanOrEqual(ChatLimits.offlineBytes)
    }
    expect(requestBatches(Array.from({ length: 130 }, () => item())).map((r) => r.length)).toEqual([
      64, 64, 2,
    ])
  })
})
