/** Narrows a Uint8Array to one backed by a plain ArrayBuffer, as the generated encoders type it. */
export function plain(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u)
}

export function toBase64(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64')
}

/** Strict base64 (standard alphabet, padded): undefined when `s` is anything else. */
export function fromBase64(s: unknown, maxBytes: number): Uint8Array | undefined {
  if (typeof s !== 'string' || s.length > Math.ceil(maxBytes / 3) * 4 || s.length % 4 !== 0) return undefined
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined
  const out = Buffer.from(s, 'base64')
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** Byte-wise equality (memcmp: every decoder compares its input with the re-encoding, up to megabytes). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && view(a).equals(view(b))
}

const view = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
