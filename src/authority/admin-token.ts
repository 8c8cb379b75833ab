/** The operator's bearer token for the authority's admin endpoints. */
import { createHash, timingSafeEqual } from 'node:crypto'

export function adminAuthorised(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? ''
  // Compare digests so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(token).digest()
  return presented.length > 0 && timingSafeEqual(a, b)
}
