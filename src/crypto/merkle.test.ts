/**
 * The Merkle tree that batch signatures rest on (issue 12 §2): every leaf's
 * proof leads to the root, and any change to the leaf, its index, the tree's
 * size or one hash of the path does not.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { leafHash, merkleTree, verifyInclusion, verifyInclusionKnown } from './merkle.js'

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(i, n)))

describe('merkleTree', () => {
  it('hashes as RFC 9162 says: 0x00 before a leaf, 0x01 before two children, split at a power of two', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array]
    expect(leafHash(Uint8Array.of(7))).toEqual(sha(Uint8Array.of(0), Uint8Array.of(7)))
    expect(merkleTree([a]).root).toEqual(a)
    const ab = sha(Uint8Array.of(1), a, b)
    expect(merkleTree([a, b, c]).root).toEqual(sha(Uint8Array.of(1), ab, c))
    expect(merkleTree([a, b, c]).proofs).toEqual([[b, c], [a, c], [ab]])
  })

  it('gives every leaf of trees of 1 to 300 leaves a proof that verifies, and only at its own index', () => {
    for (let n = 1; n <= 300; n += n < 20 ? 1 : 37) {
      const ls = leaves(n)
      const { root, proofs } = merkleTree(ls)
      ls.forEach((leaf, i) => {
        expect(verifyInclusion(leaf, i, n, proofs[i]!, root)).toBe(true)
        if (n > 1) expect(verifyInclusion(leaf, (i + 1) % n, n, proofs[i]!, root)).toBe(false)
      })
    }
  })

  it('refuses a changed leaf, a changed path hash, a path too long or short, an index out of range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.nat(), (n, pick, bit) => {
        const ls = leaves(n)
        const { root, proofs } = merkleTree(ls)
        const i = pick % n
        const path = proofs[i]!
        const leaf = ls[i]!
        const flip = (b: Uint8Array) => {
          const c = new Uint8Array(b)
          c[bit % 32]! ^= 1 << (bit % 8)
          return c
        }
        expect(verifyInclusion(flip(leaf), i, n, path, root)).toBe(false)
        const j = bit % path.length
        expect(
          verifyInclusion(
            leaf,
            i,
            n,
            path.map((p, k) => (k === j ? flip(p) : p)),
            root,
          ),
        ).toBe(false)
        expect(verifyInclusion(leaf, i, n, [...path, root], root)).toBe(false)
        expect(verifyInclusion(leaf, i, n, path.slice(1), root)).toBe(false)
        expect(verifyInclusion(leaf, n, n, path, root)).toBe(false)
        expect(verifyInclusion(leaf, -1, n, path, root)).toBe(false)
      }),
      { numRuns: 500 },
    )
  })
})

describe('verifyInclusionKnown', () => {
  it('accepts exactly what verifyInclusion accepts, whatever earlier proofs of the tree it knows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (n, tries) => {
          const ls = leaves(n)
          const { root, proofs } = merkleTree(ls)
          const known = new Map<string, Uint8Array>()
          for (const [pick, bit, change] of tries) {
            const i = pick % n
            const flip = (b: Uint8Array) => {
              const c = new Uint8Array(b)
              c[bit % 32]! ^= 1 << (bit % 8)
              return c
            }
            let leaf = ls[i]!
            let path = proofs[i]!
            let index = i
            if (change === 1) leaf = flip(leaf)
            if (change === 2 && path.length > 0)
              path = path.map((p, k) => (k === bit % path.length ? flip(p) : p))
            if (change === 3) index = (i + 1 + (bit % n)) % n
            if (change === 4) path = [...path, root]
            if (change === 5) path = path.slice(1)
            const learned = verifyInclusionKnown(leaf, index, n, path, root, known)
            expect(learned !== undefined).toBe(verifyInclusion(leaf, index, n, path, root))
            for (const [range, hash] of learned ?? []) known.set(range, hash)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
