/** The hand-written deposit body: the generated encoder's bytes, whatever the fields hold. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OfflineDepositBody } from '../wire/offline-signed.js'
import { plain } from '../wire/bytes.js'
import { encodeDepositBody } from './deposit-body.js'

const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!

describe('encodeDepositBody', () => {
  it('writes what OfflineDepositBody.encode writes, empty fields and long lengths included', () => {
    const differ: string[] = []
    for (let n = 0; n < 500; n++) {
      const body = {
        certificate: rnd(pick([0, 1, 127, 128, 300, 16_383, 16_384, 20_000])),
        id: rnd(pick([0, 16])),
        recipient: pick(['', 'bob', 'zoë', '名前', 'x'.repeat(200)]),
        contentDigest: rnd(pick([0, 32])),
        copyDigests: Array.from({ length: pick([0, 1, 2, 16]) }, () => rnd(pick([0, 32]))),
      }
      const mine = Buffer.from(encodeDepositBody(body))
      if (!mine.equals(OfflineDepositBody.encode(body))) differ.push(JSON.stringify(body).slice(0, 200))
    }
    expect(differ).toEqual([])
  })
})
