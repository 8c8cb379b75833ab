/** The supernode grant lists (v1, and v2 with seats) byte by byte: exact encodings, caps, canonical order, refusals. */
import { describe, expect, it } from 'vitest'
import { expectRefused, fromHex, hex } from './fuzz-support.js'
import {
  decodeSupernodeGrantListBody,
  decodeSupernodeGrantListV2Body,
  encodeSupernodeGrantListBody,
  encodeSupernodeGrantListV2Body,
  SupernodeGrantListBody,
  type SupernodeGrantListFields,
  type SupernodeGrantListV2Fields,
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

describe('the v2 grant list (seats), byte by byte', () => {
  const seatA = Uint8Array.from({ length: 16 }, (_, i) => i)
  const seatB = new Uint8Array(16).fill(0xff)
  const v2: SupernodeGrantListV2Fields = {
    networkId: 'net',
    sequence: 7,
    issuedAt: 300,
    grants: [
      { username: 'alice', grantedAt: 1, seat: seatA, places: 1 },
      { username: 'bob', grantedAt: 200, seat: seatB, places: 3 },
    ],
  }
  const v2Hex =
    '0a036e6574' +
    '1007' +
    '18ac02' +
    // field 4, first grant: tag 0x22, length 29 (0x1d): username, granted_at,
    // seat (field 3: tag 0x1a, length 16, the bytes), places (field 4: tag 0x20, varint 1)
    '221d' +
    '0a05616c696365' +
    '1001' +
    '1a10' +
    '000102030405060708090a0b0c0d0e0f' +
    '2001' +
    // second grant: length 28 (0x1c); granted_at 200 → c8 01; places 3
    '221c' +
    '0a03626f62' +
    '10c801' +
    '1a10' +
    'ff'.repeat(16) +
    '2003'

  it('lays out each grant with its seat and places after v1’s two fields', () => {
    expect(hex(encodeSupernodeGrantListV2Body(v2))).toBe(v2Hex)
    expect(decodeSupernodeGrantListV2Body(fromHex(v2Hex))).toEqual(v2)
  })

  it('is not a v1 list, nor v1 a v2 list: each decoder refuses the other', () => {
    expectRefused(() => decodeSupernodeGrantListBody(fromHex(v2Hex)), 'malformed')
    // v1's grants have no seat.
    expectRefused(() => decodeSupernodeGrantListV2Body(fromHex(listHex)), 'invalid_field', 'grants[0].seat')
  })

  it('refuses a seat of any length but 16 bytes, and places outside 1–' + Limits.supernodePlaces, () => {
    const withGrant = (g: Partial<SupernodeGrantListV2Fields['grants'][number]>) =>
      encodeSupernodeGrantListV2Body({ ...v2, grants: [{ ...v2.grants[0]!, ...g }] })
    for (const seat of [new Uint8Array(0), new Uint8Array(15), new Uint8Array(17)])
      expectRefused(
        () => decodeSupernodeGrantListV2Body(withGrant({ seat })),
        'invalid_field',
        'grants[0].seat',
      )
    for (const places of [0, Limits.supernodePlaces + 1, 2 ** 32 - 1])
      expectRefused(
        () => decodeSupernodeGrantListV2Body(withGrant({ places })),
        'invalid_field',
        'grants[0].places',
      )
    expect(
      decodeSupernodeGrantListV2Body(withGrant({ places: Limits.supernodePlaces })).grants[0]!.places,
    ).toBe(Limits.supernodePlaces)
  })

  it('refuses grants out of order or repeated, unknown fields and fields out of order', () => {
    const swapped = { ...v2, grants: [v2.grants[1]!, v2.grants[0]!] }
    expectRefused(
      () => decodeSupernodeGrantListV2Body(encodeSupernodeGrantListV2Body(swapped)),
      'invalid_field',
      'grants[1].username',
    )
    expectRefused(() => decodeSupernodeGrantListV2Body(fromHex(v2Hex + '2801')), 'malformed')
    // places before seat inside the first grant: the same value, not its one byte form.
    const grantOut = v2Hex.replace(
      '1a10000102030405060708090a0b0c0d0e0f2001',
      '20011a10000102030405060708090a0b0c0d0e0f',
    )
    expectRefused(() => decodeSupernodeGrantListV2Body(fromHex(grantOut)), 'malformed')
    expectRefused(() => decodeSupernodeGrantListV2Body(fromHex(v2Hex.slice(0, -2))), 'malformed')
  })

  it(`caps the list at ${Limits.supernodeGrants} grants and ${Limits.supernodeGrantListV2Bytes} bytes`, () => {
    const name = (i: number) => `u${String(i).padStart(31, '0')}`
    const grant = (i: number) => ({ username: name(i), grantedAt: 2 ** 52 + i, seat: seatB, places: 1000 })
    const full = {
      networkId: 'n'.repeat(Limits.networkIdChars),
      sequence: 1,
      issuedAt: 1,
      grants: Array.from({ length: Limits.supernodeGrants }, (_, i) => grant(i)),
    }
    // The widest full list fits the byte cap.
    const bytes = encodeSupernodeGrantListV2Body(full)
    expect(bytes.byteLength).toBeLessThan(Limits.supernodeGrantListV2Bytes)
    expect(decodeSupernodeGrantListV2Body(bytes).grants).toHaveLength(Limits.supernodeGrants)
    const over = encodeSupernodeGrantListV2Body({
      ...full,
      grants: [...full.grants, grant(Limits.supernodeGrants)],
    })
    expectRefused(() => decodeSupernodeGrantListV2Body(over), 'malformed')
    expectRefused(
      () => decodeSupernodeGrantListV2Body(new Uint8Array(Limits.supernodeGrantListV2Bytes + 1)),
      'too_large',
    )
  })
})
