/** The offline store's signed bodies byte by byte (issue 10, H3): their exact encodings, caps and refusals. */
import { describe, expect, it } from 'vitest'
import { expectRefused, fromHex, hex } from './fuzz-support.js'
import {
  AccessKind,
  decodeOfflineAccessBody,
  decodeOfflineDepositBody,
  OfflineAccessBody,
  OfflineDepositBody,
  OfflineSignedLimits,
} from './offline-signed.js'

const id = (b: number) => new Uint8Array(16).fill(b)
const digest = (b: number) => new Uint8Array(32).fill(b)

// Each field is a tag varint (field_number << 3 | wire_type), then a varint
// (wire type 0) or a length and the bytes (wire type 2); defaults are omitted.
const depositHex = [
  '0a02cece', // 1 certificate, 2 bytes
  '1210' + '11'.repeat(16), // 2 id, 16 bytes
  '1a03626f62', // 3 recipient "bob"
  '2220' + 'aa'.repeat(32), // 4 content_digest, 32 bytes
  '2a20' + 'b1'.repeat(32), // 5 copy_digests, first copy
  '2a20' + 'b2'.repeat(32), // 5 copy_digests, second copy
].join('')
const deposit = {
  certificate: Uint8Array.of(0xce, 0xce),
  id: id(0x11),
  recipient: 'bob',
  contentDigest: digest(0xaa),
  copyDigests: [digest(0xb1), digest(0xb2)],
}

const accessHex = [
  '0a02cece', // 1 certificate, 2 bytes
  '1002', // 2 kind 2 (drop)
  '1a03626f62', // 3 recipient "bob"
  '2210' + '22'.repeat(16), // 4 ids, one 16-byte id
  '28ac02', // 5 expires_at 300
].join('')
const access = {
  certificate: Uint8Array.of(0xce, 0xce),
  kind: AccessKind.Drop,
  recipient: 'bob',
  ids: [id(0x22)],
}

describe('the deposit body, byte by byte', () => {
  it('lays out certificate, id, recipient, content digest and one digest per copy', () => {
    expect(hex(OfflineDepositBody.encode(deposit))).toBe(depositHex)
    expect(decodeOfflineDepositBody(fromHex(depositHex))).toEqual(deposit)
  })

  it('refuses missing or mis-sized fields, and a non-canonical order', () => {
    const enc = (over: object) => OfflineDepositBody.encode({ ...deposit, ...over })
    expectRefused(
      () => decodeOfflineDepositBody(enc({ certificate: new Uint8Array(0) })),
      'invalid_field',
      'certificate',
    )
    expectRefused(() => decodeOfflineDepositBody(enc({ id: id(1).subarray(1) })), 'invalid_field', 'id')
    expectRefused(() => decodeOfflineDepositBody(enc({ recipient: 'B O B' })), 'invalid_field', 'recipient')
    expectRefused(
      () => decodeOfflineDepositBody(enc({ contentDigest: digest(1).subarray(2) })),
      'invalid_field',
      'contentDigest',
    )
    expectRefused(() => decodeOfflineDepositBody(enc({ copyDigests: [] })), 'invalid_field', 'copyDigests')
    expectRefused(
      () => decodeOfflineDepositBody(enc({ copyDigests: [id(1)] })),
      'invalid_field',
      'copyDigests',
    )
    // The recipient field moved before the id: the same content, not its one encoding.
    const swapped = fromHex(depositHex.replace('1a03626f62', '').replace('0a02cece', '0a02cece1a03626f62'))
    expectRefused(() => decodeOfflineDepositBody(swapped), 'malformed')
  })

  it('caps copies at 16 and the body before decoding', () => {
    const many = OfflineDepositBody.encode({
      ...deposit,
      copyDigests: Array.from({ length: 17 }, () => digest(3)),
    })
    expectRefused(() => decodeOfflineDepositBody(many), 'malformed')
    const big = new Uint8Array(OfflineSignedLimits.depositBodyBytes + 1)
    expectRefused(() => decodeOfflineDepositBody(big), 'too_large')
  })
})

describe('the access body, byte by byte', () => {
  it('lays out certificate, kind, recipient, ids and expiry; times read as numbers', () => {
    expect(hex(OfflineAccessBody.encode({ ...access, expiresAt: 300n }))).toBe(accessHex)
    expect(decodeOfflineAccessBody(fromHex(accessHex))).toEqual({ ...access, expiresAt: 300 })
  })

  it('refuses unknown kinds, takes naming ids, drops naming none, and no expiry', () => {
    const enc = (over: object) => OfflineAccessBody.encode({ ...access, expiresAt: 300n, ...over })
    expectRefused(() => decodeOfflineAccessBody(enc({ kind: 3 })), 'invalid_field', 'kind')
    expectRefused(() => decodeOfflineAccessBody(enc({ kind: AccessKind.Take })), 'invalid_field', 'ids')
    expectRefused(() => decodeOfflineAccessBody(enc({ ids: [] })), 'invalid_field', 'ids')
    expectRefused(() => decodeOfflineAccessBody(enc({ ids: [id(1).subarray(1)] })), 'invalid_field', 'ids')
    expectRefused(() => decodeOfflineAccessBody(enc({ expiresAt: 0n })), 'invalid_field', 'expiresAt')
    expectRefused(() => decodeOfflineAccessBody(enc({ expiresAt: 2n ** 53n })), 'invalid_field', 'expiresAt')
    expectRefused(() => decodeOfflineAccessBody(enc({ recipient: '' })), 'invalid_field', 'recipient')
  })

  it('caps ids at 1,024 and the body before decoding', () => {
    const many = OfflineAccessBody.encode({
      ...access,
      expiresAt: 1n,
      ids: Array.from({ length: 1025 }, () => id(4)),
    })
    expectRefused(() => decodeOfflineAccessBody(many), 'malformed')
    expectRefused(
      () => decodeOfflineAccessBody(new Uint8Array(OfflineSignedLimits.accessBodyBytes + 1)),
      'too_large',
    )
  })
})
