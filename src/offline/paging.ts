/**
 * How much goes in one answer or one request: at most so many items and
 * about so many bytes, and always at least one item so that an answer makes
 * progress whatever the sizes. Sans-IO.
 */

export interface PageLimits {
  items: number
  bytes: number
}

/** How many entries of `sizes`, from `from` on, fit in one page. */
export function pageLength(sizes: readonly number[], limits: PageLimits, from = 0): number {
  let bytes = 0
  let n = 0
  for (let i = from; i < sizes.length; i++) {
    const size = sizes[i]!
    if (n >= limits.items) break
    if (n > 0 && bytes + size > limits.bytes) break
    bytes += size
    n++
  }
  return n
}

/** Splits `items` into consecutive batches that each fit one page. */
export function batches<T>(items: readonly T[], sizeOf: (item: T) => number, limits: PageLimits): T[][] {
  const out: T[][] = []
  const sizes = items.map(sizeOf)
  for (let at = 0; at < items.length;) {
    const n = Math.max(1, pageLength(sizes, limits, at))
    out.push(items.slice(at, at + n))
    at += n
  }
  return out
}
