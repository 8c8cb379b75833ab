/**
 * Merkle trees as RFC 9162 (Certificate Transparency 2.0) defines them, with
 * node's SHA-256: a leaf hashes 0x00 ‖ data, an inner node 0x01 ‖ left ‖
 * right, and a tree of n leaves splits at the largest power of two below n.
 * One signature over a root then vouches for every leaf, and an inclusion
 * proof (the sibling hashes from a leaf up) lets anyone check one leaf alone.
 * Chat events and offline deposits are signed a batch at a time this way
 * (issue 12 §2): one Ed25519 signature per batch instead of one per item.
 */
import { hash } from 'node:crypto'
import { equalBytes } from '../wire/bytes.js'

export const HASH_BYTES = 32

const LEAF = 0
const NODE = 1

/**
 * SHA-256 of one prefix byte and the parts, in one call: crypto.hash over a
 * joined buffer costs about half of createHash().update()...digest() (an
 * OpenSSL context per hash); a recipient hashes one or two nodes per
 * batch-signed event (issue 12 §2).
 */
function sha256(prefix: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const joined = new Uint8Array(1 + a.byteLength + (b?.byteLength ?? 0))
  joined[0] = prefix
  joined.set(a, 1)
  if (b !== undefined) joined.set(b, 1 + a.byteLength)
  const digest = hash('sha256', joined, 'buffer')
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF, data)
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right)
}

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** The root of the tree over `leaves` (already leaf-hashed) and each leaf's inclusion proof. */
export function merkleTree(leaves: readonly Uint8Array[]): { root: Uint8Array; proofs: Uint8Array[][] } {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf')
  const proofs: Uint8Array[][] = leaves.map(() => [])
  const build = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return leaves[from]!
    const k = split(to - from)
    const left = build(from, from + k)
    const right = build(from + k, to)
    // Each leaf's path runs leaf to root: siblings found deeper were pushed first.
    for (let i = from; i < from + k; i++) proofs[i]!.push(right)
    for (let i = from + k; i < to; i++) proofs[i]!.push(left)
    return nodeHash(left, right)
  }
  return { root: build(0, leaves.length), proofs }
}

/**
 * Whether `path` proves that `leaf` is leaf `index` of the tree of `count`
 * leaves whose root is `root` (RFC 9162, 2.1.3.2). A path of the wrong
 * length, an index outside the tree, or any altered hash fails.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  count: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count)
    return false
  let fn = index
  let sn = count - 1
  let r = leaf
  for (const p of path) {
    if (p.byteLength !== HASH_BYTES || sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equalBytes(r, root)
}

/** Hashes of a tree's nodes already proven to lead to its root, by `${from}:${to}` leaf range. */
export type KnownNodes = ReadonlyMap<string, Uint8Array>

/**
 * verifyInclusion, with nodes of the same tree already proven (by earlier
 * proofs that led to `root`): a sibling on `path` must equal the known one,
 * and where the node reached and its sibling are both known their parent is
 * taken without hashing. So the documents of one batch cost about one hash
 * each after the first, instead of one per level. Every hash on `path` is
 * still checked, against the known node or by hashing up to the root, so
 * it accepts exactly what verifyInclusion accepts. Returns the nodes this
 * proof showed (to remember once the root's signature is verified), or
 * undefined when it fails.
 */
export function verifyInclusionKnown(
  leaf: Uint8Array,
  index: number,
  count: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
  known: KnownNodes,
): Array<[string, Uint8Array]> | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count)
    return undefined
  // The leaf's ancestors top-down: each step's node (holding the leaf), its sibling and their parent.
  const steps: Array<{ node: string; sibling: string; parent: string; left: boolean }> = []
  for (let from = 0, to = count; to - from > 1;) {
    const k = split(to - from)
    const parent = `${from}:${to}`
    if (index < from + k) {
      steps.push({ node: `${from}:${from + k}`, sibling: `${from + k}:${to}`, parent, left: true })
      to = from + k
    } else {
      steps.push({ node: `${from + k}:${to}`, sibling: `${from}:${from + k}`, parent, left: false })
      from += k
    }
  }
  if (path.length !== steps.length) return undefined
  steps.reverse()
  const learned: Array<[string, Uint8Array]> = [[`${index}:${index + 1}`, leaf]]
  let h = leaf
  let proven = checkKnown(known, `${index}:${index + 1}`, h)
  if (proven === undefined) return undefined
  for (let j = 0; j < steps.length; j++) {
    const step = steps[j]!
    const sibling = path[j]!
    if (sibling.byteLength !== HASH_BYTES) return undefined
    const siblingKnown = checkKnown(known, step.sibling, sibling)
    if (siblingKnown === undefined) return undefined
    const parent = known.get(step.parent)
    if (proven && siblingKnown && parent !== undefined) {
      h = parent
      continue
    }
    h = step.left ? nodeHash(h, sibling) : nodeHash(sibling, h)
    learned.push([step.sibling, sibling], [step.parent, h])
    proven = checkKnown(known, step.parent, h)
    if (proven === undefined) return undefined
  }
  return equalBytes(h, root) ? learned : undefined
}

/** true when `key` is known and equals `h`, false when unknown, undefined when known and different. */
function checkKnown(known: KnownNodes, key: string, h: Uint8Array): boolean | undefined {
  const k = known.get(key)
  if (k === undefined) return false
  return equalBytes(k, h) ? true : undefined
}
