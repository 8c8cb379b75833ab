/**
 * Test support for the wire decoders' byte-level and fuzz tests (no tests of
 * its own): building and taking apart protobuf bytes, random and mutated
 * inputs for fast-check, and the oracles that say what a decoder or verifier
 * may do with them.
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { expect } from 'vitest'
import { WireDecodeError, type WireErrorCode } from './decode.js'

// ---- Bytes --------------------------------------------------------------------

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

/** The first integer a JS number cannot hold exactly, for uint64 times and sequences. */
export const TOO_BIG = 2n ** 53n

export function varint(n: number): number[] {
  const out: number[] = []
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return out
}

export function readVarint(buf: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0
  for (let i = 0; i < 10 && at + i < buf.byteLength; i++) {
    const b = buf[at + i]!
    value += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) return [value, at + i + 1]
  }
  return undefined
}

export function splice(buf: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(buf.byteLength - remove + insert.length)
  out.set(buf.subarray(0, at))
  out.set(insert, at)
  out.set(buf.subarray(at + remove), at + insert.length)
  return out
}

/** Appends unknown fields (number 15) until `bytes` is exactly `size` long; protobuf decoders skip them. */
export function padTo(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size)
  out.set(bytes)
  let at = bytes.byteLength
  while (at < size) {
    const rest = size - at
    const fill = [1, 2, 3].map((k) => rest - 1 - k).find((n) => n >= 0 && varint(n).length === rest - 1 - n)
    if (fill === undefined) {
      out.set([0x78, 0x00], at) // field 15, varint 0: shifts the remainder off a varint boundary
      at += 2
    } else {
      out.set([0x7a, ...varint(fill)], at) // field 15, length-delimited, `fill` zero bytes
      at = size
    }
  }
  return out
}

export interface LengthPrefix {
  start: number
  end: number
  value: number
}

/** Where the length varints of length-delimited fields are, nested messages included, as far as `buf` parses. */
export function lengthPrefixes(
  buf: Uint8Array,
  from = 0,
  to = buf.byteLength,
  depth = 0,
): LengthPrefix[] | undefined {
  const found: LengthPrefix[] = []
  let at = from
  while (at < to) {
    const tag = readVarint(buf, at)
    if (tag === undefined) return undefined
    at = tag[1]
    const wireType = tag[0] % 8
    if (wireType === 0) {
      const v = readVarint(buf, at)
      if (v === undefined) return undefined
      at = v[1]
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4
    } else if (wireType === 2) {
      const len = readVarint(buf, at)
      if (len === undefined || len[1] + len[0] > to) return undefined
      found.push({ start: at, end: len[1], value: len[0] })
      const inner =
        depth < 3 && len[0] > 0 ? lengthPrefixes(buf, len[1], len[1] + len[0], depth + 1) : undefined
      found.push(...(inner ?? []))
      at = len[1] + len[0]
    } else {
      return undefined
    }
  }
  return at === to ? found : undefined
}

// ---- Random bytes ---------------------------------------------------------

/**
 * Random inputs up to a cap + 100 bytes: small ones straight from fast-check
 * (shrinkable), large ones as windows into a fixed xorshift pool, because
 * generating 256 KiB per run byte by byte would spend the whole budget on
 * generation. The pool is seeded, so a failing (offset, length) replays.
 */
const POOL = (() => {
  const words = new Uint32Array(1 << 19) // 2 MiB
  let x = 0x9e3779b9
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return new Uint8Array(words.buffer)
})()

function poolWindow(minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.nat(POOL.byteLength - maxLength))
    .map(([length, offset]) => POOL.subarray(offset, offset + length))
}

export function randomBytes(cap: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 128 }),
    poolWindow(0, cap + 100),
    poolWindow(Math.max(0, cap - 100), cap + 100),
  )
}

// ---- Mutations of valid encodings -----------------------------------------

type LengthChange = { delta: number } | { value: number } | { endless: number }

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'replace'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; from: number; length: number; at: number }
  | { kind: 'length'; which: number; change: LengthChange }

const lengthChange: fc.Arbitrary<LengthChange> = fc.oneof(
  fc.record({ delta: fc.integer({ min: -3, max: 3 }) }),
  fc.record({
    value: fc.oneof(
      fc.constantFrom(0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35),
      fc.nat(),
    ),
  }),
  fc.record({ endless: fc.integer({ min: 5, max: 12 }) }),
)

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0x00, 0x7f, 0x80, 0xff), fc.nat(255)),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant('length' as const), which: fc.nat(), change: lengthChange }),
)

export function mutate(buf: Uint8Array, m: Mutation): Uint8Array {
  const n = buf.byteLength
  switch (m.kind) {
    case 'flip':
    case 'replace': {
      if (n === 0) return buf
      const out = Uint8Array.from(buf)
      const at = m.at % n
      out[at] = m.kind === 'flip' ? out[at]! ^ (1 << m.bit) : m.value
      return out
    }
    case 'truncate':
      return n === 0 ? buf : buf.slice(0, m.at % n)
    case 'insert':
      return splice(buf, m.at % (n + 1), 0, m.bytes)
    case 'duplicate': {
      if (n === 0) return buf
      const from = m.from % n
      return splice(buf, m.at % (n + 1), 0, buf.slice(from, from + m.length))
    }
    case 'length': {
      const prefixes = lengthPrefixes(buf) ?? []
      const p = prefixes[m.which % Math.max(1, prefixes.length)]
      if (p === undefined) return buf
      const c = m.change
      const bytes =
        'endless' in c
          ? new Array<number>(c.endless).fill(0xff)
          : varint('delta' in c ? Math.max(0, p.value + c.delta) : c.value)
      return splice(buf, p.start, p.end - p.start, bytes)
    }
  }
}

export interface Mutated {
  original: Uint8Array
  bytes: Uint8Array
}

export function mutated(corpus: Uint8Array[], maxMutations = 4): fc.Arbitrary<Mutated> {
  return fc
    .tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: maxMutations }))
    .map(([original, ms]) => ({ original, bytes: ms.reduce(mutate, original) }))
}

/** Random bytes up to a decoder's cap, and mutations of the valid encodings in `corpus`. */
export function decoderInputs(cap: number, corpus: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    randomBytes(cap),
    mutated(corpus).map((m) => m.bytes),
  )
}

// ---- Oracles ------------------------------------------------------------------

/** Far above any real decode (microseconds); catches work that grows with something other than input size. */
// A guard against a decoder that effectively hangs (e.g. quadratic on crafted input), not a speed
// check: a busy CI machine can pause any one call for a second, so the bound is generous.
const SLOW_MS = 5_000
const WIRE_CODES = new Set(['too_large', 'malformed', 'invalid_field'])

function timed<T>(what: string, size: number, run: () => T): T {
  const started = performance.now()
  const checkTime = () => {
    const took = performance.now() - started
    if (took > SLOW_MS) throw new Error(`${what} of ${size} bytes took ${took.toFixed(0)} ms`)
  }
  let value: T
  try {
    value = run()
  } catch (err) {
    checkTime()
    throw err
  }
  checkTime()
  return value
}

/** The decoder returns or throws a WireDecodeError with a wire code; anything else fails the property. */
export function decodesOrRefuses(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    timed('decoding', bytes.byteLength, () => decode(bytes))
  } catch (err) {
    if (err instanceof WireDecodeError && WIRE_CODES.has(err.code)) return
    throw err
  }
}

/** Runs `verify`; only the listed error classes may escape. Returns undefined when refused. */
export function verifiesOrRefuses<T>(
  allowed: Array<new (...args: never[]) => Error>,
  bytes: Uint8Array,
  verify: () => T,
): T | undefined {
  try {
    return timed('verifying', bytes.byteLength, verify)
  } catch (err) {
    if (allowed.some((E) => err instanceof E)) return undefined
    throw err
  }
}

/** What a verified document says: its fields, without its bytes or lookup functions (has, entry). */
function contentOf(doc: object): object {
  const { bytes: _bytes, ...fields } = doc as { bytes?: unknown }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v !== 'function'))
}

/** Throws unless the two documents say the same, ignoring their bytes (and a list's lookup function). */
export function assertSameContent(what: string, got: object, want: object): void {
  if (!isDeepStrictEqual(contentOf(got), contentOf(want))) {
    throw new Error(`an altered ${what} verified with different content`)
  }
}

/** The WireDecodeError `decode` throws; fails if it throws anything else or returns. */
export function refusal(decode: () => unknown): WireDecodeError {
  try {
    decode()
  } catch (err) {
    if (err instanceof WireDecodeError) return err
    throw new Error(`expected a WireDecodeError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected the decoder to refuse the input, but it returned a value')
}

export function expectRefused(decode: () => unknown, code: WireErrorCode, field?: string): void {
  const err = refusal(decode)
  expect({ code: err.code, field: err.field }).toEqual({ code, field })
}
