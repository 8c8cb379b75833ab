/** The supernode grant list byte by byte: its exact encoding, its caps, its canonical order, and refusals. */
import { describe, expect, it } from 'vitest'
import { expectRefused, fromHex, hex } from './fuzz-support.js'
import {
  decodeSupernodeGrantListBody,
  encodeSupernodeGrantListBody,
  SupernodeGrantListBody,
  type SupernodeGrantListFields,
} from './grants.js'
import { Limits } from './limits.js'

const list: SupernodeGrantListFields = {
  networkId: 'net',
  sequence: 7,
  issuedAt: 300,
  grants: [
    { username: 'alice', grantedAt: 1 },
    { username: 'bob', grantedAt: 200 },
  ],
}

// Each field is a tag varint (field_number << 3 | wire_type), then a varint
// (wire type 0) or a length and the bytes (wire type 2); defaults are omitted.
const listHex =
  // field 1 network_id: tag 0x0a, length 3, "net"
  '0a03' +
  '6e6574' +
  // field 2 sequence: tag 0x10, varint 7
  '1007' +
  // field 3 issued_at: tag 0x18, varint 300 = 0b10_0101100 → ac 02
  '18ac02' +
  // field 4, first grant: tag 0x22, length 9: username (0x0a, 5, "alice"), granted_at (0x10, 1)
  '2209' +
  '0a05616c696365' +
  '1001' +
  // field 4, second grant: tag 0x22, length 8: username (0x0a, 3, "bob"), granted_at (0x10, 200 → c8 01)
  '2208' +
  '0a03626f62' +
  '10c801'

describe('the supernode grant list, byte by byte', () => {
  it('lays out the list as tag, length, value per field, one embedded message per grant', () => {
    expect(hex(encodeSupernodeGrantListBody(list))).toBe(listHex)
  })

  it('reads back the hand-written bytes', () => {
    expect(decodeSupernodeGrantListBody(fromHex(listHex))).toEqual(list)
  })

  it('accepts an empty list: nobody is granted', () => {
    const empty = { networkId: 'net', sequence: 0, issuedAt: 1, grants: [] }
    expect(decodeSupernodeGrantListBody(encodeSupernodeGrantListBody(empty))).toEqual(empty)
  })

  it('refuses grants out of order or repeated: one list has one byte form', () => {
    const swapped = { ...list, grants: [list.grants[1]!, list.grants[0]!] }
    expectRefused(
      () => decodeSupernodeGrantListBody(encodeSupernodeGrantListBody(swapped)),
      'invalid_field',
      'grants[1].username',
    )
    const twice = { ...list, grants: [list.grants[0]!, list.grants[0]!] }
    expectRefused(
      () => decodeSupernodeGrantListBody(encodeSupernodeGrantListBody(twice)),
      'invalid_field',
      'grants[1].username',
    )
  })

  it('refuses a bad username, a missing network id, and times past 2^53', () => {
    const bad = { ...list, grants: [{ username: 'Not A Name', grantedAt: 1 }] }
    expectRefused(
      () => decodeSupernodeGrantListBody(encodeSupernodeGrantListBody(bad)),
      'invalid_field',
      'grants[0].username',
    )
    expectRefused(
      () => decodeSupernodeGrantListBody(encodeSupernodeGrantListBody({ ...list, networkId: '' })),
      'invalid_field',
      'networkId',
    )
    const far = SupernodeGrantListBody.encode({
      networkId: 'net',
      sequence: 2n ** 53n,
      issuedAt: 1n,
      grants: [],
    })
    expectRefused(() => decodeSupernodeGrantListBody(far), 'invalid_field', 'sequence')
  })

  it('refuses bytes that are not the canonical encoding: unknown fields, fields out of order', () => {
    // An unknown field 5 (varint 1) appended: a newer document needs a new payload type.
    expectRefused(() => decodeSupernodeGrantListBody(fromHex(listHex + '2801')), 'malformed')
    // sequence before network_id: decodes to the same value, but not in its one byte form.
    const reordered = '1007' + '0a036e6574' + listHex.slice('0a036e65741007'.length)
    expectRefused(() => decodeSupernodeGrantListBody(fromHex(reordered)), 'malformed')
    // A truncated grant.
    expectRefused(() => decodeSupernodeGrantListBody(fromHex(listHex.slice(0, -2))), 'malformed')
  })

  it(`caps the list at ${Limits.supernodeGrants} grants and ${Limits.supernodeGrantListBytes} bytes`, () => {
    const name = (i: number) => `u${String(i).padStart(6, '0')}`
    const full = {
      networkId: 'net',
      sequence: 1,
      issuedAt: 1,
      grants: Array.from({ length: Limits.supernodeGrants }, (_, i) => ({ username: name(i), grantedAt: i })),
    }
    const bytes = encodeSupernodeGrantListBody(full)
    expect(decodeSupernodeGrantListBody(bytes).grants).toHaveLength(Limits.supernodeGrants)
    const over = encodeSupernodeGrantListBody({
      ...full,
      grants: [...full.grants, { username: name(Limits.supernodeGrants), grantedAt: 1 }],
    })
    expectRefused(() => decodeSupernodeGrantListBody(over), 'malformed')
    expectRefused(
      () => decodeSupernodeGrantListBody(new Uint8Array(Limits.supernodeGrantListBytes + 1)),
      'too_large',
    )
  })
})
