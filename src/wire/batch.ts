/**
 * Capped, canonical decoders of batch-signed documents (issue 12 §2): a
 * signed batch root (BatchRoot) and a document that carries its body and
 * its proof (BatchSigned). Chat events and offline deposits use them, each
 * with its own payload type and caps. Like chat.ts, nothing but
 * WireDecodeError escapes them; src/trust/batch.ts verifies.
 */
import { checkBytes, decodeCapped, invalid } from './decode.js'
import { BatchRoot, BatchSigned } from './generated/parley.js'

export { BatchRoot, BatchSigned }

export const BatchLimits = {
  hashBytes: 32,
  /** BatchRoot: a 32-byte hash and a count. */
  rootBodyBytes: 64,
  /** The signed root in its envelope: payload type, key id, signature and the root. */
  rootEnvelopeBytes: 256,
} as const

/** What a kind of batch-signed document allows: the most documents under one root, and the byte cap of one. */
export interface BatchCaps {
  what: string
  documents: number
  bytes: number
}

/**
 * The first byte of a batch-signed document's canonical bytes (field 2,
 * length delimited); a SignedEnvelope's is 0x0a (field 1). Decoding each as
 * the other fails, so the byte only picks which decoder to try.
 */
export const BATCHED_FIRST_BYTE = 0x12

export function isBatched(bytes: Uint8Array): boolean {
  return bytes.byteLength > 0 && bytes[0] === BATCHED_FIRST_BYTE
}

/** Hashes in an inclusion proof for a tree of at most `documents` leaves. */
export function pathCap(documents: number): number {
  return Math.ceil(Math.log2(documents))
}

export interface BatchRootFields {
  root: Uint8Array
  count: number
}

export function decodeBatchRoot(bytes: Uint8Array, caps: BatchCaps): BatchRootFields {
  const r = decodeCapped<BatchRoot>(`${caps.what} batch root`, BatchRoot, bytes, BatchLimits.rootBodyBytes)
  checkBytes('root', r.root, BatchLimits.hashBytes)
  if (r.count < 1 || r.count > caps.documents) invalid('count', `must be 1–${caps.documents}`)
  return { root: r.root, count: r.count }
}

export interface BatchSignedFields {
  body: Uint8Array
  root: Uint8Array
  index: number
  path: Uint8Array[]
}

/** A batch-signed document taken apart; the body and the root envelope are decoded by their own decoders. */
export function decodeBatchSigned(bytes: Uint8Array, caps: BatchCaps): BatchSignedFields {
  const e = decodeCapped<BatchSigned>(`batch-signed ${caps.what}`, BatchSigned, bytes, caps.bytes, {
    path: pathCap(caps.documents),
  })
  if (e.body.byteLength === 0) invalid('body', 'is missing')
  if (e.root.byteLength === 0) invalid('root', 'is missing')
  if (e.root.byteLength > BatchLimits.rootEnvelopeBytes) invalid('root', 'is too large')
  if (e.index >= caps.documents) invalid('index', `must be below ${caps.documents}`)
  for (const p of e.path) checkBytes('path', p, BatchLimits.hashBytes)
  return { body: e.body, root: e.root, index: e.index, path: e.path }
}
