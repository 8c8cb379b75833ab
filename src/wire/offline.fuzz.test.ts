/**
 * Fuzzing the offline-store decoders: whatever the bytes, only the typed
 * refusal escapes, nothing hangs, input past the cap is refused before it is
 * decoded, what is accepted keeps every rule the store relies on (ids 16
 * bytes, nonces 24, one or more copies with 32-byte ephemeral keys and
 * 72-byte wrapped keys, valid usernames), and every well-formed message
 * comes back from its bytes unchanged.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { plain } from './bytes.js'
import {
  ChatLimits,
  decodeOfflineRequest,
  decodeOfflineResponse,
  OfflineKind,
  OfflineRequest,
  OfflineResponse,
  OfflineResult,
  type SealedItem,
} from './chat.js'
import { WireDecodeError } from './decode.js'
import { isUsername } from './fields.js'
import { ACCESS_ENVELOPE_BYTES, DEPOSIT_ENVELOPE_BYTES } from './offline-signed.js'
import { decodesOrRefuses, mutated } from './fuzz-support.js'

const DECODER_RUNS = 50_000
const OVERSIZE_RUNS = 500
const ROUND_TRIP_RUNS = 2_000
const CAP = ChatLimits.offlineBytes

// ---- Valid messages ---------------------------------------------------------

const bytesOf = (n: number, seed: number) =>
  plain(Uint8Array.from({ length: n }, (_, i) => (seed * 37 + i) % 256))
const DEVICES = ['12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp', '12D3KooWdevice2', 'x']

function item(i: number, copies = 1 + (i % 3)): SealedItem {
  return {
    id: bytesOf(16, i),
    recipient: ['alice', 'bob.b', 'carol_c-1'][i % 3]!,
    sender: i % 2 === 0 ? '' : 'dave',
    storedAt: BigInt(1_700_000_000_000 + i),
    nonce: bytesOf(24, i + 1),
    ciphertext: bytesOf(1 + ((i * 97) % 400), i + 2),
    copies: Array.from({ length: copies }, (_, j) => ({
      deviceId: DEVICES[j % DEVICES.length]!,
      ephemeral: bytesOf(32, i + j + 3),
      wrapped: bytesOf(72, i + j + 4),
    })),
    // Deposit and store carry the depositing device's signed envelope: here just bytes of its size.
    deposit: i % 2 === 0 ? bytesOf(600, i + 5) : new Uint8Array(0),
  }
}

const base = { items: [], recipient: '', deviceId: '', ids: [], access: new Uint8Array(0) }
const access = bytesOf(500, 11)
const requests: Uint8Array[] = [
  { ...base, kind: OfflineKind.Deposit, items: [0, 1, 2, 3].map((i) => item(i)) },
  { ...base, kind: OfflineKind.Fetch, ids: [0, 1].map((i) => bytesOf(16, i)), access },
  { ...base, kind: OfflineKind.Ack, ids: [bytesOf(16, 9)], access },
  { ...base, kind: OfflineKind.Store, items: [item(5, ChatLimits.copies)] },
  {
    ...base,
    kind: OfflineKind.Take,
    recipient: 'bob.b',
    deviceId: DEVICES[0]!,
    ids: [bytesOf(16, 3)],
    access,
  },
  {
    ...base,
    kind: OfflineKind.Drop,
    recipient: 'alice',
    deviceId: DEVICES[1]!,
    ids: [bytesOf(16, 4)],
    access,
  },
].map((r) => OfflineRequest.encode(r))

const response = { code: '', message: '', items: [], more: false, retryAfterMs: 0 }
const responses: Uint8Array[] = [
  { ...response, result: OfflineResult.Ok, items: [6, 7].map((i) => item(i)), more: true },
  { ...response, result: OfflineResult.Refused, code: 'quota_exceeded', message: 'full' },
  { ...response, result: OfflineResult.Busy, code: 'try_later', retryAfterMs: 1500 },
].map((r) => OfflineResponse.encode(r))

// ---- Inputs -------------------------------------------------------------------

/** A seeded xorshift pool past the 4 MiB cap: random windows of any length up to cap + 1000, cheaply. */
const POOL = (() => {
  const words = new Uint32Array((CAP + 4096) / 4)
  let x = 0x2545f491
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return new Uint8Array(words.buffer)
})()

function window(minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.nat(POOL.byteLength - maxLength))
    .map(([length, offset]) => POOL.subarray(offset, offset + length))
}

function inputs(corpus: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    window(0, 64 * 1024),
    window(CAP - 100, CAP + 100),
    mutated(corpus).map((m) => m.bytes),
  )
}

// ---- Oracles ------------------------------------------------------------------

function keepsItemRules(items: readonly SealedItem[]): void {
  for (const i of items) {
    expect(i.id.byteLength).toBe(16)
    expect(isUsername(i.recipient)).toBe(true)
    expect(i.sender === '' || isUsername(i.sender)).toBe(true)
    expect(i.storedAt <= BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    expect(i.nonce.byteLength).toBe(24)
    expect(i.ciphertext.byteLength).toBeGreaterThan(0)
    expect(i.copies.length).toBeGreaterThan(0)
    expect(i.copies.length).toBeLessThanOrEqual(ChatLimits.copies)
    for (const c of i.copies) {
      expect(c.deviceId.length).toBeGreaterThan(0)
      expect([c.ephemeral.byteLength, c.wrapped.byteLength]).toEqual([32, 72])
    }
    expect(i.deposit.byteLength).toBeLessThanOrEqual(DEPOSIT_ENVELOPE_BYTES)
  }
}

function checkRequest(bytes: Uint8Array): void {
  let r: OfflineRequest
  try {
    r = decodeOfflineRequest(bytes)
  } catch {
    return decodesOrRefuses(decodeOfflineRequest, bytes)
  }
  expect(r.kind >= 1 && r.kind <= 6).toBe(true)
  expect(r.items.length).toBeLessThanOrEqual(ChatLimits.offlineItems)
  expect(r.ids.length).toBeLessThanOrEqual(ChatLimits.offlineIds)
  for (const id of r.ids) expect(id.byteLength).toBe(16)
  if (r.kind === OfflineKind.Take || r.kind === OfflineKind.Drop)
    expect(r.recipient !== '' && r.deviceId !== '').toBe(true)
  expect(r.access.byteLength).toBeLessThanOrEqual(ACCESS_ENVELOPE_BYTES)
  if (r.kind === OfflineKind.Deposit || r.kind === OfflineKind.Store) expect(r.access.byteLength).toBe(0)
  keepsItemRules(r.items)
}

function checkResponse(bytes: Uint8Array): void {
  let r: OfflineResponse
  try {
    r = decodeOfflineResponse(bytes)
  } catch {
    return decodesOrRefuses(decodeOfflineResponse, bytes)
  }
  expect([0, 2, 3]).toContain(r.result)
  expect(r.code.length).toBeLessThanOrEqual(64)
  expect(r.items.length).toBeLessThanOrEqual(ChatLimits.offlineItems)
  keepsItemRules(r.items)
}

// ---- Properties -----------------------------------------------------------------

describe('fuzz corpus', () => {
  it('starts from messages that decode', () => {
    expect(() => {
      requests.forEach((b) => decodeOfflineRequest(b))
      responses.forEach((b) => decodeOfflineResponse(b))
    }).not.toThrow()
  })
})

describe('offline decoders take any bytes', () => {
  it('decodeOfflineRequest returns a message that keeps the rules, or a WireDecodeError', () => {
    fc.assert(fc.property(inputs(requests), checkRequest), { numRuns: DECODER_RUNS })
  }, 120_000)

  it('decodeOfflineResponse returns a message that keeps the rules, or a WireDecodeError', () => {
    fc.assert(fc.property(inputs(responses), checkResponse), { numRuns: DECODER_RUNS })
  }, 120_000)
})

describe('the cap comes before decoding', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each([
    ['decodeOfflineRequest', decodeOfflineRequest, OfflineRequest],
    ['decodeOfflineResponse', decodeOfflineResponse, OfflineResponse],
  ] as const)('%s refuses anything past 4 MiB as too_large without decoding it', (_name, decode, codec) => {
    const spy = vi.spyOn(codec, 'decode')
    fc.assert(
      fc.property(window(CAP + 1, CAP + 1000), (bytes) => {
        try {
          decode(bytes)
        } catch (err) {
          if (err instanceof WireDecodeError && err.code === 'too_large') return
          throw err
        }
        throw new Error(`${bytes.byteLength} bytes, over the cap, were read`)
      }),
      { numRuns: OVERSIZE_RUNS },
    )
    expect(spy).not.toHaveBeenCalled()
  })
})

describe('well-formed messages survive their bytes', () => {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(plain)
  const username = fc.stringMatching(/^[a-z0-9._-]{3,32}$/)
  const sealedItem: fc.Arbitrary<SealedItem> = fc.record({
    id: bytes(16),
    recipient: username,
    sender: fc.oneof(fc.constant(''), username),
    storedAt: fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
    nonce: bytes(24),
    ciphertext: fc.uint8Array({ minLength: 1, maxLength: 512 }).map(plain),
    copies: fc.array(
      fc.record({
        deviceId: fc.stringMatching(/^[A-Za-z0-9]{1,52}$/),
        ephemeral: bytes(32),
        wrapped: bytes(72),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    deposit: fc.uint8Array({ maxLength: 700 }).map(plain),
  })

  it('a request of any kind decodes to what was encoded', () => {
    const request = fc.record({
      kind: fc.constantFrom(...Object.values(OfflineKind)),
      items: fc.array(sealedItem, { maxLength: 4 }),
      recipient: username,
      deviceId: fc.stringMatching(/^[A-Za-z0-9]{1,52}$/),
      ids: fc.array(bytes(16), { maxLength: 8 }),
      access: fc.uint8Array({ maxLength: 700 }).map(plain),
    })
    fc.assert(
      fc.property(request, (given) => {
        // Access travels only with fetch, ack, take and drop.
        const carries = given.kind !== OfflineKind.Deposit && given.kind !== OfflineKind.Store
        const r = carries ? given : { ...given, access: new Uint8Array(0) }
        expect(decodeOfflineRequest(OfflineRequest.encode(r))).toEqual(r)
      }),
      { numRuns: ROUND_TRIP_RUNS },
    )
  })

  it('a response of any result decodes to what was encoded', () => {
    const answer = fc.record({
      result: fc.constantFrom(OfflineResult.Ok, OfflineResult.Refused, OfflineResult.Busy),
      code: fc.stringMatching(/^[a-z_]{0,64}$/),
      message: fc.string({ maxLength: 100 }),
      items: fc.array(sealedItem, { maxLength: 4 }),
      more: fc.boolean(),
      retryAfterMs: fc.nat(),
    })
    fc.assert(
      fc.property(answer, (r) => {
        expect(decodeOfflineResponse(OfflineResponse.encode(r))).toEqual(r)
      }),
      { numRuns: ROUND_TRIP_RUNS },
    )
  })
})
