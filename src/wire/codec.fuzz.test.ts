/**
 * Fuzzing the decoders and the verifiers behind them: whatever the bytes, only
 * the typed refusal may escape, nothing hangs, and a document that was changed
 * never verifies as something other than what was signed.
 */
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { open, PayloadType, seal, SignatureError } from '../crypto/envelope.js'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate, verifyCertificate, type CertificateInput } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import { signNetworkConfig, verifyNetworkConfig, type NetworkConfigInput } from '../trust/network-config.js'
import { signRevocationList, verifyRevocationList } from '../trust/revocations.js'
import { equalBytes } from './bytes.js'
import {
  CertificateBody,
  decodeCertificateBody,
  decodeEnvelope,
  decodeNetworkConfigBody,
  decodeRevocationListBody,
  decodeSignInProof,
  NetworkConfigBody,
  RevocationListBody,
  SignInProof,
  WireDecodeError,
} from './codec.js'
import { Limits } from './limits.js'

const DECODER_RUNS = 100_000
const VERIFY_RUNS = 5_000
const RESIGN_RUNS = 1_000
/** Far above any real decode (microseconds); catches work that grows with something other than input size. */
const SLOW_MS = 250
const WIRE_CODES = new Set(['too_large', 'malformed', 'invalid_field'])

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

function randomBytes(cap: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 128 }),
    poolWindow(0, cap + 100),
    poolWindow(Math.max(0, cap - 100), cap + 100),
  )
}

// ---- Mutations of valid encodings -----------------------------------------

type LengthChange = { delta: number } | { value: number } | { endless: number }

type Mutation =
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

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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

function varint(n: number): number[] {
  const out: number[] = []
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return out
}

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0
  for (let i = 0; i < 10 && at + i < buf.byteLength; i++) {
    const b = buf[at + i]!
    value += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) return [value, at + i + 1]
  }
  return undefined
}

interface LengthPrefix {
  start: number
  end: number
  value: number
}

/** Where the length varints of length-delimited fields are, nested messages included, as far as `buf` parses. */
function lengthPrefixes(
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

function splice(buf: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(buf.byteLength - remove + insert.length)
  out.set(buf.subarray(0, at))
  out.set(insert, at)
  out.set(buf.subarray(at + remove), at + insert.length)
  return out
}

function mutate(buf: Uint8Array, m: Mutation): Uint8Array {
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

interface Mutated {
  original: Uint8Array
  bytes: Uint8Array
}

function mutated(corpus: Uint8Array[], maxMutations = 4): fc.Arbitrary<Mutated> {
  return fc
    .tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: maxMutations }))
    .map(([original, ms]) => ({ original, bytes: ms.reduce(mutate, original) }))
}

// ---- Valid documents --------------------------------------------------------

const policy = { maySupernode: true, mayRelay: false, maySendFiles: true }
const T0 = 1_700_000_000_000
const DAY = 86_400_000
const NETWORK = 'parley-fuzz'

function certificateFields(devicePublicKey: Uint8Array, i: number): CertificateInput {
  return {
    networkId: NETWORK,
    serial: BigInt(i + 1) * 1_000_003n,
    username: ['alice', 'bob.b', 'carol_c-1'][i % 3]!,
    devicePublicKey,
    deviceName: ['Phone', 'Laptop at work', 'x'][i % 3]!,
    policy,
    organisation: i % 2 === 0 ? '' : 'Acme Ltd',
    notBefore: T0,
    notAfter: T0 + (i + 1) * DAY,
  }
}

function networkConfigFields(networkPublicKey: Uint8Array, seeds: number): NetworkConfigInput {
  return {
    networkId: NETWORK,
    networkPublicKey,
    sequence: seeds + 1,
    issuedAt: T0,
    seeds: Array.from({ length: seeds }, (_, i) => ({
      peerId: `12D3KooWseed${i}`,
      addrs: Array.from({ length: i % 4 }, (_, j) => `/ip4/10.0.${i}.${j}/tcp/4001`),
    })),
    minClientVersion: seeds % 2 === 0 ? '' : '1.4.2',
    policies: {
      certificateValiditySeconds: 604_800,
      defaultDevicePolicy: policy,
      supernodeBannedVersions: seeds > 2 ? ['1.0.0', '1.2'] : [],
    },
  }
}

function revocationListFields(entries: number) {
  return {
    networkId: NETWORK,
    sequence: entries + 1,
    issuedAt: T0,
    revocations: Array.from({ length: entries }, (_, i) => ({
      deviceId: `12D3KooWdevice${i}`,
      revokedAt: T0 - i,
    })),
  }
}

const bodies = {
  certificate: [0, 1, 2].map((i) =>
    CertificateBody.encode({
      ...certificateFields(new Uint8Array(32).fill(i), i),
      devicePublicKey: new Uint8Array(32).fill(i),
      notBefore: BigInt(T0),
      notAfter: BigInt(T0 + DAY),
    }),
  ),
  networkConfig: [0, 1, 5].map((seeds) => {
    const f = networkConfigFields(new Uint8Array(32).fill(9), seeds)
    return NetworkConfigBody.encode({
      ...f,
      networkPublicKey: new Uint8Array(32).fill(9),
      sequence: BigInt(f.sequence),
      issuedAt: BigInt(f.issuedAt),
    })
  }),
  revocationList: [0, 1, 3, 40].map((n) => {
    const f = revocationListFields(n)
    return RevocationListBody.encode({
      ...f,
      sequence: BigInt(f.sequence),
      issuedAt: BigInt(f.issuedAt),
      revocations: f.revocations.map((r) => ({ deviceId: r.deviceId, revokedAt: BigInt(r.revokedAt) })),
    })
  }),
  signInProof: [16, 32, 64].map((c) =>
    SignInProof.encode({
      networkId: NETWORK,
      challenge: new Uint8Array(c).fill(c),
      username: 'alice',
      devicePublicKey: new Uint8Array(32).fill(4),
    }),
  ),
}

let networkKey: Signer
let otherKey: Signer
const signed = {
  certificates: [] as Uint8Array[],
  networkConfigs: [] as Uint8Array[],
  revocationLists: [] as Uint8Array[],
}
const envelopes: Array<{ bytes: Uint8Array; type: PayloadType }> = []

beforeAll(async () => {
  networkKey = signerOf(await generateKey())
  otherKey = signerOf(await generateKey())
  const devices = await Promise.all([0, 1, 2].map(async () => signerOf(await generateKey()).publicKey))
  signed.certificates = devices.map((d, i) => issueCertificate(certificateFields(d, i), networkKey))
  signed.networkConfigs = [0, 1, 5].map((n) =>
    signNetworkConfig(networkConfigFields(networkKey.publicKey, n), networkKey),
  )
  signed.revocationLists = [0, 3, 40].map((n) => signRevocationList(revocationListFields(n), networkKey))
  envelopes.push(
    ...signed.certificates.map((bytes) => ({ bytes, type: PayloadType.Certificate })),
    ...signed.networkConfigs.map((bytes) => ({ bytes, type: PayloadType.NetworkConfig })),
    ...signed.revocationLists.map((bytes) => ({ bytes, type: PayloadType.Revocations })),
    ...bodies.signInProof.map((body) => ({
      bytes: seal(PayloadType.SignInProof, body, otherKey),
      type: PayloadType.SignInProof,
    })),
  )
})

// ---- Oracles ------------------------------------------------------------------

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
function decodesOrRefuses(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    timed('decoding', bytes.byteLength, () => decode(bytes))
  } catch (err) {
    if (err instanceof WireDecodeError && WIRE_CODES.has(err.code)) return
    throw err
  }
}

/** Runs `verify`; only the listed error classes may escape. Returns undefined when refused. */
function verifiesOrRefuses<T>(
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

const payloadsOf = (docs: Uint8Array[]) => docs.map((d) => decodeEnvelope(d).payload)

function contentOf(doc: object): object {
  const { bytes: _bytes, has: _has, ...content } = doc as { bytes?: unknown; has?: unknown }
  return content
}

function assertSameContent(what: string, got: object, want: object): void {
  if (!isDeepStrictEqual(contentOf(got), contentOf(want))) {
    throw new Error(`an altered ${what} verified with different content`)
  }
}

// ---- Properties -----------------------------------------------------------------

describe('fuzz corpus', () => {
  // Mutations of documents that were never valid would prove little.
  it('starts from documents that decode and verify', () => {
    const cert = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now: T0 + 1 }
    const list = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    expect(() => {
      bodies.certificate.forEach((b) => decodeCertificateBody(b))
      bodies.networkConfig.forEach((b) => decodeNetworkConfigBody(b))
      bodies.revocationList.forEach((b) => decodeRevocationListBody(b))
      bodies.signInProof.forEach((b) => decodeSignInProof(b))
      envelopes.forEach((e) =>
        open(e.bytes, e.type, e.type === PayloadType.SignInProof ? otherKey.publicKey : networkKey.publicKey),
      )
      signed.certificates.forEach((b) => verifyCertificate(b, cert))
      signed.networkConfigs.forEach((b) => verifyNetworkConfig(b))
      signed.revocationLists.forEach((b) => verifyRevocationList(b, list))
    }).not.toThrow()
  })
})

describe('decoders take any bytes', () => {
  const decoders = [
    ['decodeEnvelope', decodeEnvelope, Limits.envelopeBytes, () => envelopes.map((e) => e.bytes)],
    ['decodeCertificateBody', decodeCertificateBody, Limits.certificateBytes, () => bodies.certificate],
    [
      'decodeNetworkConfigBody',
      decodeNetworkConfigBody,
      Limits.networkConfigBytes,
      () => bodies.networkConfig,
    ],
    [
      'decodeRevocationListBody',
      decodeRevocationListBody,
      Limits.revocationListBytes,
      () => bodies.revocationList,
    ],
    ['decodeSignInProof', decodeSignInProof, Limits.signInProofBytes, () => bodies.signInProof],
  ] as const

  it.each(decoders)(
    '%s returns a value or a WireDecodeError for random and mutated input',
    (_name, decode, cap, corpus) => {
      const inputs = fc.oneof(
        randomBytes(cap),
        mutated(corpus()).map((m) => m.bytes),
      )
      fc.assert(
        fc.property(inputs, (bytes) => decodesOrRefuses(decode, bytes)),
        { numRuns: DECODER_RUNS },
      )
    },
    30_000,
  )
})

describe('verifiers refuse altered documents with typed errors', () => {
  const now = T0 + 1

  it('open() throws only WireDecodeError or SignatureError and never returns another payload', () => {
    const originals = new Map(envelopes.map((e) => [e.bytes, e]))
    fc.assert(
      fc.property(
        mutated(
          envelopes.map((e) => e.bytes),
          2,
        ),
        ({ original, bytes }) => {
          const { type } = originals.get(original)!
          const key = type === PayloadType.SignInProof ? otherKey.publicKey : networkKey.publicKey
          const payload = verifiesOrRefuses([WireDecodeError, SignatureError], bytes, () =>
            open(bytes, type, key),
          )
          // The envelope's own bytes are not signed and may change and still open
          // (a tag's wire type is not checked: 0x0a → 0x0b reads the same field);
          // what must never change is the payload, which is.
          if (payload !== undefined && !equalBytes(payload, decodeEnvelope(original).payload)) {
            throw new Error('an altered envelope opened with a different payload')
          }
        },
      ),
      { numRuns: VERIFY_RUNS },
    )
  })

  it('verifyCertificate throws only TrustError and never accepts altered content', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now }
    fc.assert(
      fc.property(mutated(signed.certificates, 2), ({ original, bytes }) => {
        const cert = verifiesOrRefuses([TrustError], bytes, () => verifyCertificate(bytes, opts))
        if (cert !== undefined) assertSameContent('certificate', cert, verifyCertificate(original, opts))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })

  it.each([
    ['with the network key pinned', true],
    ['on first contact', false],
  ])('verifyNetworkConfig %s throws only TrustError and never accepts altered content', (_when, pinned) => {
    const opts = pinned
      ? { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
      : { networkId: NETWORK }
    fc.assert(
      fc.property(mutated(signed.networkConfigs, 2), ({ original, bytes }) => {
        const config = verifiesOrRefuses([TrustError], bytes, () => verifyNetworkConfig(bytes, opts))
        if (config !== undefined)
          assertSameContent('network config', config, verifyNetworkConfig(original, opts))
      }),
      { numRuns: VERIFY_RUNS / 2 },
    )
  })

  it('verifyRevocationList throws only TrustError and never accepts altered content', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    fc.assert(
      fc.property(mutated(signed.revocationLists, 2), ({ original, bytes }) => {
        const list = verifiesOrRefuses([TrustError], bytes, () => verifyRevocationList(bytes, opts))
        if (list !== undefined)
          assertSameContent('revocation list', list, verifyRevocationList(original, opts))
      }),
      { numRuns: VERIFY_RUNS },
    )
  })
})

describe('verifiers take any validly signed body', () => {
  // What a buggy or compromised authority could sign: the signature checks
  // out, so everything after it (decoding, validity, device id) must still
  // refuse with a TrustError and accept only what decodes.
  const now = T0 + 1

  it('verifyCertificate refuses signed garbage with TrustError only', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK, now }
    fc.assert(
      fc.property(mutated(payloadsOf(signed.certificates), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.Certificate, body, networkKey)
        const cert = verifiesOrRefuses([TrustError], bytes, () => verifyCertificate(bytes, opts))
        if (cert === undefined) return
        const fields = decodeCertificateBody(body)
        assertSameContent('certificate', cert, { ...fields, deviceId: deviceIdOf(fields.devicePublicKey) })
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('verifyNetworkConfig refuses signed garbage with TrustError only', () => {
    fc.assert(
      fc.property(mutated(payloadsOf(signed.networkConfigs), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.NetworkConfig, body, networkKey)
        const config = verifiesOrRefuses([TrustError], bytes, () =>
          verifyNetworkConfig(bytes, { networkId: NETWORK }),
        )
        if (config !== undefined) assertSameContent('network config', config, decodeNetworkConfigBody(body))
      }),
      { numRuns: RESIGN_RUNS },
    )
  })

  it('verifyRevocationList refuses signed garbage with TrustError only', () => {
    const opts = { networkPublicKey: networkKey.publicKey, networkId: NETWORK }
    fc.assert(
      fc.property(mutated(payloadsOf(signed.revocationLists), 2), ({ bytes: body }) => {
        const bytes = seal(PayloadType.Revocations, body, networkKey)
        const list = verifiesOrRefuses([TrustError], bytes, () => verifyRevocationList(bytes, opts))
        if (list !== undefined) assertSameContent('revocation list', list, decodeRevocationListBody(body))
      }),
      { numRuns: RESIGN_RUNS },
    )
  })
})
