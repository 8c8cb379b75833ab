/**
 * What the generated codecs (src/wire/generated/parley.ts, `npm run proto`
 * points its import here) start each bytes field at before decoding it.
 * protons imports uint8arrays' `alloc`, which makes a Buffer and reads its
 * `.buffer`: that makes V8 give even an empty array a backing store of its
 * own, about three times the cost of `new Uint8Array(0)`, and more work for
 * the garbage collector. A decoded offline item starts a dozen such fields
 * on each supernode that handles it: in bench/offline-cost.ts's profile,
 * 9% of the supernodes' time was in there (docs/offline.md, Cost).
 */
export function alloc(size = 0): Uint8Array<ArrayBuffer> {
  return new Uint8Array(size)
}
