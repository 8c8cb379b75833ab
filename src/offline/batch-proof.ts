/**
 * A batch-signed deposit read against what it must be (deposit-verifier.ts):
 * `BatchSigned { body, root, index, path }` (proto/parley.proto) whose body
 * and root are given, as its encoder writes it: body, root, the index unless
 * it is 0, then each 32-byte hash of the path, every length in its shortest
 * form and nothing else. The index and path are returned; any other bytes
 * (another body or root, a padded length, an unknown field) give undefined,
 * and the caller decodes the deposit in full (decodeBatchSigned) instead.
 * Sans-IO.
 */
import { BatchLimits } from '../wire/batch.js'

const BODY_TAG = 0x12
const ROOT_TAG = 0x1a
const INDEX_TAG = 0x20
const PATH_TAG = 0x2a

export interface BatchProof {
  index: number
  path: Uint8Array[]
}

export function proofAfter(deposit: Uint8Array, body: Uint8Array, root: Uint8Array): BatchProof | undefined {
  let at = field(deposit, 0, BODY_TAG, body)
  if (at === undefined) return undefined
  at = field(deposit, at, ROOT_TAG, root)
  if (at === undefined) return undefined
  let index = 0
  if (deposit[at] === INDEX_TAG) {
    const v = varint(deposit, at + 1)
    // Zero is written by leaving the field out.
    if (v === undefined || v.value === 0) return undefined
    index = v.value
    at = v.end
  }
  const path: Uint8Array[] = []
  const hash = BatchLimits.hashBytes
  while (at < deposit.byteLength) {
    if (deposit[at] !== PATH_TAG || deposit[at + 1] !== hash || at + 2 + hash > deposit.byteLength)
      return undefined
    path.push(deposit.subarray(at + 2, at + 2 + hash))
    at += 2 + hash
  }
  return { index, path }
}

/** The end of field `tag` at `at` holding exactly `value`, or undefined. */
function field(b: Uint8Array, at: number, tag: number, value: Uint8Array): number | undefined {
  if (b[at] !== tag) return undefined
  const len = varint(b, at + 1)
  if (len === undefined || len.value !== value.byteLength || len.end + value.byteLength > b.byteLength)
    return undefined
  const held = Buffer.from(b.buffer, b.byteOffset + len.end, value.byteLength)
  if (!held.equals(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) return undefined
  return len.end + value.byteLength
}

/** A varint of at most 32 bits at `at`, in its shortest form. */
function varint(b: Uint8Array, at: number): { value: number; end: number } | undefined {
  let value = 0
  for (let i = 0; i < 5; i++) {
    const byte = b[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) {
      // A last group of 0 after the first means the length was padded.
      if (i > 0 && byte === 0) return undefined
      return value > 0xffffffff ? undefined : { value, end: at + i + 1 }
    }
  }
  return undefined
}
