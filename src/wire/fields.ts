/** Field rules shared by the wire decoders and the authority's HTTP validation. */

/** 3–32 characters of lowercase letters, digits, `.`, `_`, `-`. */
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,32}$/

export function isUsername(value: unknown): value is string {
  return typeof value === 'string' && USERNAME_PATTERN.test(value)
}

/** Printable, 1–64 characters, no control characters. */
export function isDeviceName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 64 &&
    value.trim() === value &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(value)
  )
}

/** `1.2.3`-style version, compared numerically part by part. */
export const VERSION_PATTERN = /^\d{1,6}(\.\d{1,6}){0,3}$/

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}
