/**
 * Documents a device signs a batch at a time (issue 12 §2): a Merkle tree
 * over their bodies, one Ed25519 signature over its root and size, and each
 * document carrying its proof, so that each stays verifiable alone (a chat
 * event in history backfill, an offline item a replica stores or repair
 * pushes). A verifier checks the root's signature once, remembered in an
 * LRU keyed by the signed root and the signer's key, and each document's
 * path (a few SHA-256s). The certificate inside each body (time,
 * revocation) is still checked for each document.
 */
import { LRUCache } from 'lru-cache'
import { checkEnvelope, seal, SignatureError, type PayloadType } from '../crypto/envelope.js'
import type { Signer } from '../crypto/keys.js'
import { leafHash, merkleTree, verifyInclusionKnown } from '../crypto/merkle.js'
import { plain } from '../wire/bytes.js'
import {
  BatchLimits,
  BatchRoot,
  BatchSigned,
  decodeBatchRoot,
  decodeBatchSigned,
  type BatchCaps,
  type BatchRootFields,
} from '../wire/batch.js'
import { decodeEnvelope, WireDecodeError } from '../wire/codec.js'
import { ErrorCode } from '../wire/error-codes.js'
import { verifyCertificate, type Certificate, type VerifyCertificateOptions } from './certificate.js'
import { TrustError } from './errors.js'

/** Roots whose signature verified, keyed by the signed root's bytes and the signer's key. */
const verifiedRoots = new LRUCache<string, true>({ max: 4096 })
/**
 * Of the most recent of those roots, the tree's nodes that proofs have shown
 * (merkle.ts, verifyInclusionKnown): the other documents of a batch then
 * cost about one hash each instead of one per level (bench/offline-cost.ts
 * profile: inclusion was a third of verifying a batch-signed deposit).
 */
const knownNodes = new LRUCache<string, Map<string, Uint8Array>>({ max: 512 })
/** Signed roots as decoded, by their bytes, payload type and caps: the documents of a batch share one. */
const decodedRoots = new LRUCache<string, { env: ReturnType<typeof decodeEnvelope>; root: BatchRootFields }>({
  max: 4096,
})

/** Signs bodies as one batch (at most caps.documents); each body's batch-signed bytes, in the same order. */
export function signBatch(
  type: PayloadType,
  caps: BatchCaps,
  bodies: readonly Uint8Array[],
  device: Signer,
): Uint8Array[] {
  if (bodies.length === 0 || bodies.length > caps.documents)
    throw new RangeError(`a batch holds 1–${caps.documents} documents, not ${bodies.length}`)
  const { root, proofs } = merkleTree(bodies.map(leafHash))
  const signed = plain(seal(type, BatchRoot.encode({ root: plain(root), count: bodies.length }), device))
  return bodies.map((body, index) =>
    BatchSigned.encode({ body: plain(body), root: signed, index, path: proofs[index]!.map(plain) }),
  )
}

/**
 * Verifies a batch-signed document: its body, its certificate (network key,
 * time, revocations), the root's signature by that certificate's device
 * (once per root), and the path from the body to the root. Throws
 * TrustError: a wire code for bad bytes (invalid_field for a batch over
 * the cap), the certificate's codes, wrong_payload_type / unknown_signer /
 * bad_signature for the root, batch_proof_invalid for a path that does not
 * lead to it.
 */
export function verifyBatchSigned<T extends { certificate: Uint8Array }>(
  bytes: Uint8Array,
  type: PayloadType,
  caps: BatchCaps,
  decodeBody: (body: Uint8Array) => T,
  opts: VerifyCertificateOptions,
): { body: T; certificate: Certificate } {
  let body: T
  let doc
  let root
  let rootEnv
  let rootBytes
  try {
    doc = decodeBatchSigned(bytes, caps)
    body = decodeBody(doc.body)
    rootBytes = base64(doc.root)
    const rootKey = `${type}\u0000${caps.what}\u0000${caps.documents}\u0000${rootBytes}`
    const decoded = decodedRoots.get(rootKey)
    if (decoded !== undefined) ({ env: rootEnv, root } = decoded)
    else {
      rootEnv = decodeEnvelope(doc.root, BatchLimits.rootEnvelopeBytes)
      if (rootEnv.payloadType !== type)
        throw new TrustError(
          ErrorCode.WrongPayloadType,
          `${caps.what}: expected ${type}, got ${rootEnv.payloadType}`,
        )
      root = decodeBatchRoot(rootEnv.payload, caps)
      decodedRoots.set(rootKey, { env: rootEnv, root })
    }
  } catch (err) {
    if (err instanceof WireDecodeError) throw new TrustError(err.code, `${caps.what}: ${err.message}`)
    throw err
  }
  const certificate = verifyCertificate(body.certificate, opts)
  const key = rootBytes + base64(certificate.devicePublicKey)
  const known = verifiedRoots.has(key) ? knownNodes.get(key) : undefined
  const learned = verifyInclusionKnown(
    leafHash(doc.body),
    doc.index,
    root.count,
    doc.path,
    root.root,
    known ?? NONE_KNOWN,
  )
  if (learned === undefined)
    throw new TrustError(
      ErrorCode.BatchProofInvalid,
      `${caps.what}: the batch proof does not lead to its root`,
    )
  if (!verifiedRoots.has(key)) {
    try {
      checkEnvelope(rootEnv, type, certificate.devicePublicKey)
    } catch (err) {
      if (err instanceof SignatureError) throw new TrustError(err.code, `${caps.what}: ${err.message}`)
      throw err
    }
    verifiedRoots.set(key, true)
  }
  // Only nodes under a root whose signature verified are remembered.
  if (known === undefined) knownNodes.set(key, new Map(learned))
  else for (const [range, hash] of learned) known.set(range, hash)
  return { body, certificate }
}

const NONE_KNOWN: ReadonlyMap<string, Uint8Array> = new Map()
const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
