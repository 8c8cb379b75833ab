/** The chat messages' exact encodings, byte by byte, and their refusal of malformed bytes. */
import { describe, expect, it } from 'vitest'
import {
  ChatAck,
  ChatEvent,
  ChatKind,
  decodeChatAck,
  decodeChatEventBody,
  decodeHistoryRequest,
  decodeHistoryResponse,
  HistoryRequest,
  HistoryResponse,
} from './chat.js'
import { idOf } from './chat.fixtures.js'
import { expectRefused, fromHex, hex, refusal } from './fuzz-support.js'
import { PresenceStatus } from './generated/parley.js'

describe('encodings, byte by byte', () => {
  // Tag varint (field_number << 3 | wire_type), then a varint (wire type 0) or
  // a length and the bytes (wire type 2). Defaults are omitted.
  const eventFields = [
    '0a02cece', // 1 certificate, 2 bytes
    '1210' + '11'.repeat(16), // 2 id, 16 bytes
    '1801', // 3 kind TEXT: enum varint 1
    '2203626f62', // 4 to "bob"
    '2805', // 5 lamport 5
    '30ac02', // 6 sent_at 300
    '3a026869', // 7 text "hi"
    '4210' + '22'.repeat(16), // 8 refs, one 16-byte id
    '4803', // 9 status DO_NOT_DISTURB: enum varint 3
  ]
  const eventHex = eventFields.join('')
  const fields = {
    certificate: Uint8Array.of(0xce, 0xce),
    id: idOf(0x11),
    kind: ChatKind.TEXT,
    to: 'bob',
    text: 'hi',
    refs: [idOf(0x22)],
    status: PresenceStatus.DO_NOT_DISTURB,
  }

  it('lays out a chat event and reads it back, times as numbers', () => {
    expect(hex(ChatEvent.encode({ ...fields, lamport: 5n, sentAt: 300n }))).toBe(eventHex)
    expect(decodeChatEventBody(fromHex(eventHex))).toEqual({ ...fields, lamport: 5, sentAt: 300 })
  })

  it('lays out an ack with its ids as repeated bytes', () => {
    const ackHex = [
      '0802', // 1 result 2 (refused)
      '1204626c6f62', // 2 code "blob"
      '1a0178', // 3 message "x"
      '2210' + '01'.repeat(16), // 4 committed, one 16-byte id
      '2a10' + '02'.repeat(16), // 5 refused, one 16-byte id
    ].join('')
    const value = { result: 2, code: 'blob', message: 'x', committed: [idOf(1)], refused: [idOf(2)] }
    expect(hex(ChatAck.encode(value))).toBe(ackHex)
    expect(decodeChatAck(fromHex(ackHex))).toEqual(value)
  })

  it('lays out a history request and response', () => {
    const requestHex =
      '0a01ce' + // 1 certificate, 1 byte
      '1007' + // 2 since 7
      // 3 after: empty on a first page, omitted
      '2001' // 4 limit 1
    const request = { certificate: Uint8Array.of(0xce), since: 7n, after: new Uint8Array(0), limit: 1 }
    expect(hex(HistoryRequest.encode(request))).toBe(requestHex)
    expect(decodeHistoryRequest(fromHex(requestHex))).toEqual(request)

    const responseHex =
      '0803' + // 1 result 3 (busy)
      '220109' + // 4 events, one of 1 byte
      '2801' // 5 more: true
    const response = { result: 3, code: '', message: '', events: [Uint8Array.of(9)], more: true }
    expect(hex(HistoryResponse.encode(response))).toBe(responseHex)
    expect(decodeHistoryResponse(fromHex(responseHex))).toEqual(response)
  })

  it.each<[string, string]>([
    ['a field out of order (kind before id)', '0a02cece' + '1801' + '1210' + '11'.repeat(16)],
    ['an explicit default (kind CHAT_NONE written out)', '0a02cece1210' + '11'.repeat(16) + '1800'],
    ['a non-minimal varint (lamport 5 as 85 00)', '0a02cece1210' + '11'.repeat(16) + '1801' + '28' + '8500'],
    ['an unknown field 15', '0a02cece1210' + '11'.repeat(16) + '1801' + '7800'],
    ['a length running past the end', '0a05cece'],
    ['invalid UTF-8 in the text', '0a02cece1210' + '11'.repeat(16) + '1801' + '2203626f62' + '3a01ff'],
    ['kind 99, which no version defines', '0a02cece1210' + '11'.repeat(16) + '1863' + '2203626f62'],
    ['a negative kind', '0a02cece1210' + '11'.repeat(16) + '18ffffffffffffffffff01' + '2203626f62'],
    ['status 4, which no version defines', eventHex.slice(0, -4) + '4804'],
  ])('refuses a chat event with %s as malformed', (_what, bytes) => {
    expectRefused(() => decodeChatEventBody(fromHex(bytes)), 'malformed')
  })

  it('refuses the event cut off inside a field as malformed, and between fields by what is missing', () => {
    const bytes = fromHex(eventHex)
    const ends = eventFields.map((_, i) => eventFields.slice(0, i + 1).join('').length / 2)
    const lastRequired = ends[3]! // certificate, id, kind and recipient; the rest may be defaults
    for (let at = 0; at < bytes.byteLength; at++) {
      const cut = () => decodeChatEventBody(bytes.subarray(0, at))
      if (!ends.includes(at) && at !== 0) expectRefused(cut, 'malformed')
      else if (at < lastRequired) expect(refusal(cut).code).toBe('invalid_field')
      // A shorter event that still reads: only the envelope's signature tells it from the whole.
      else expect(cut()).toMatchObject({ certificate: fields.certificate, id: fields.id, to: 'bob' })
    }
  })
})
