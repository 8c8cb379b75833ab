/**
 * Random bytes drawn from the system's CSPRNG a pool at a time: a call to
 * randomBytes(16) per chat event cost more than the bytes (bench:chat's
 * profile of the sender, issue 12 §2). Each byte of the pool is handed out
 * once, copied, and the pool is refilled when it runs short, as uuid's v4
 * does. For the device adapters; cores take a source in (src/chat/chat.ts).
 */
import { randomFillSync } from 'node:crypto'

export function pooledRandomBytes(poolBytes = 4096): (length: number) => Uint8Array {
  const pool = new Uint8Array(poolBytes)
  let at = poolBytes
  return (length) => {
    if (length > poolBytes) return randomFillSync(new Uint8Array(length))
    if (at + length > poolBytes) {
      randomFillSync(pool)
      at = 0
    }
    const out = pool.slice(at, at + length)
    at += length
    return out
  }
}
