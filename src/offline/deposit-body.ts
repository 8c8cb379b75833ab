/**
 * OfflineDepositBody (proto/parley.proto) written by hand, byte for byte as
 * its generated encoder writes it: fields in number order, a bytes or string
 * field left out when empty, each copy digest written, lengths as shortest
 * varints. Every replica rebuilds this body for every batch-signed item it
 * is asked to store (deposit-verifier.ts); through the generated writer
 * (an operation list, then a copy) that was about 2% of the supernodes'
 * batched phase, and its allocations part of the garbage collector's share
 * (bench/offline-cost.ts profile, docs/offline.md). deposit-body.test.ts
 * checks it against the generated encoder. Sans-IO.
 */
import type { OfflineDepositFields } from '../wire/offline-signed.js'

const CERTIFICATE = 0x0a
const ID = 0x12
const RECIPIENT = 0x1a
const CONTENT_DIGEST = 0x22
const COPY_DIGEST = 0x2a

export function encodeDepositBody(body: OfflineDepositFields): Uint8Array<ArrayBuffer> {
  const recipientBytes = Buffer.byteLength(body.recipient, 'utf8')
  let length =
    optional(body.certificate.byteLength) +
    optional(body.id.byteLength) +
    optional(recipientBytes) +
    optional(body.contentDigest.byteLength)
  for (const d of body.copyDigests) length += 1 + varintLength(d.byteLength) + d.byteLength
  const out = Buffer.allocUnsafe(length)
  let at = 0
  const put = (tag: number, value: Uint8Array, always = false): void => {
    if (value.byteLength === 0 && !always) return
    out[at++] = tag
    at = writeVarint(out, at, value.byteLength)
    out.set(value, at)
    at += value.byteLength
  }
  put(CERTIFICATE, body.certificate)
  put(ID, body.id)
  if (recipientBytes > 0) {
    out[at++] = RECIPIENT
    at = writeVarint(out, at, recipientBytes)
    at += out.write(body.recipient, at, 'utf8')
  }
  put(CONTENT_DIGEST, body.contentDigest)
  for (const d of body.copyDigests) put(COPY_DIGEST, d, true)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** A bytes field's size on the wire, 0 when it is left out (empty). */
const optional = (n: number): number => (n === 0 ? 0 : 1 + varintLength(n) + n)

function varintLength(n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

function writeVarint(b: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    b[at++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 0x80)
  }
  b[at++] = n
  return at
}
