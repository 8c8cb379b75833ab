/**
 * The /parley/direct/1.0.0 decoders (issue 10, M6) byte by byte and fuzzed:
 * canonical encodings only, caps before decoding, direct addresses only (a
 * relay circuit is refused), no addresses with a refusal, and nothing but
 * WireDecodeError for any input.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeDirectRequest,
  decodeDirectResponse,
  DirectRequest,
  DirectResponse,
  DirectResult,
  DirectWireLimits,
} from './direct.js'
import { decoderInputs, decodesOrRefuses, expectRefused, fromHex, hex } from './fuzz-support.js'
import { Limits } from './limits.js'

const RUNS = 50_000
const CERT = new Uint8Array(300).fill(9)
const TCP = '/ip4/192.0.2.7/tcp/4001/p2p/12D3KooWDevice'
const TCP6 = '/ip6/2001:db8::7/tcp/4001'
const CIRCUIT = '/ip4/198.51.100.1/tcp/1/p2p/12D3KooWSn/p2p-circuit/p2p/12D3KooWDevice'

const requests = [
  DirectRequest.encode({ certificate: CERT, addrs: [] }),
  DirectRequest.encode({ certificate: CERT, addrs: [TCP, TCP6] }),
  DirectRequest.encode({
    certificate: new Uint8Array(Limits.certificateBytes).fill(1),
    addrs: Array.from({ length: DirectWireLimits.addrs }, () => `/ip4/192.0.2.7/tcp/1/${'x'.repeat(490)}`),
  }),
]
const responses = [
  DirectResponse.encode({ result: DirectResult.Ok, code: '', message: '', addrs: [TCP, TCP6] }),
  DirectResponse.encode({ result: DirectResult.Ok, code: '', message: '', addrs: [] }),
  DirectResponse.encode({
    result: DirectResult.Refused,
    code: 'not_contact',
    message: 'direct addresses go to contacts and own devices only',
    addrs: [],
  }),
]

describe('DirectRequest', () => {
  it('is field 1 the certificate, then field 2 each address', () => {
    const bytes = DirectRequest.encode({ certificate: new Uint8Array([1, 2]), addrs: ['/ip4/1.2.3.4'] })
    expect(hex(bytes)).toBe('0a020102' + '120c' + Buffer.from('/ip4/1.2.3.4').toString('hex'))
    expect(decodeDirectRequest(requests[1]!)).toEqual({ certificate: CERT, addrs: [TCP, TCP6] })
    expect(() => requests.forEach((r) => decodeDirectRequest(r))).not.toThrow()
  })

  it('refuses a missing certificate, a relay circuit, something not a multiaddr, too many, a field it does not know', () => {
    expectRefused(
      () => decodeDirectRequest(DirectRequest.encode({ certificate: new Uint8Array(), addrs: [] })),
      'invalid_field',
      'certificate',
    )
    expectRefused(
      () => decodeDirectRequest(DirectRequest.encode({ certificate: CERT, addrs: [CIRCUIT] })),
      'invalid_field',
      'addrs',
    )
    expectRefused(
      () => decodeDirectRequest(DirectRequest.encode({ certificate: CERT, addrs: ['ip4 1.2.3.4'] })),
      'invalid_field',
      'addrs',
    )
    const nine = Array.from({ length: DirectWireLimits.addrs + 1 }, () => TCP)
    expectRefused(
      () => decodeDirectRequest(DirectRequest.encode({ certificate: CERT, addrs: nine })),
      'malformed',
    )
    // An unknown field 3 after a valid request: a newer request is a new protocol, never extra fields.
    const extra = new Uint8Array([...requests[1]!, ...fromHex('1801')])
    expectRefused(() => decodeDirectRequest(extra), 'malformed')
    expectRefused(() => decodeDirectRequest(new Uint8Array(DirectWireLimits.requestBytes + 1)), 'too_large')
  })
})

describe('DirectResponse', () => {
  it('round-trips an answer and a refusal', () => {
    expect(decodeDirectResponse(responses[0]!)).toEqual({
      result: 0,
      code: '',
      message: '',
      addrs: [TCP, TCP6],
    })
    expect(decodeDirectResponse(responses[2]!)).toMatchObject({ result: 2, code: 'not_contact', addrs: [] })
  })

  it('refuses an unknown result, addresses with a refusal, a relay circuit, a field it does not know', () => {
    expectRefused(
      () => decodeDirectResponse(DirectResponse.encode({ result: 1, code: '', message: '', addrs: [] })),
      'invalid_field',
      'result',
    )
    expectRefused(
      () =>
        decodeDirectResponse(
          DirectResponse.encode({ result: DirectResult.Refused, code: 'x', message: '', addrs: [TCP] }),
        ),
      'invalid_field',
      'addrs',
    )
    expectRefused(
      () =>
        decodeDirectResponse(
          DirectResponse.encode({ result: DirectResult.Ok, code: '', message: '', addrs: [CIRCUIT] }),
        ),
      'invalid_field',
      'addrs',
    )
    expectRefused(
      () => decodeDirectResponse(new Uint8Array([...responses[0]!, ...fromHex('2801')])),
      'malformed',
    )
    expectRefused(() => decodeDirectResponse(new Uint8Array(DirectWireLimits.responseBytes + 1)), 'too_large')
  })
})

describe('the direct-address decoders take any bytes', () => {
  it('decodeDirectRequest throws only WireDecodeError', () => {
    fc.assert(
      fc.property(decoderInputs(DirectWireLimits.requestBytes, requests), (bytes) => {
        decodesOrRefuses(decodeDirectRequest, bytes)
      }),
      { numRuns: RUNS },
    )
  })

  it('decodeDirectResponse throws only WireDecodeError', () => {
    fc.assert(
      fc.property(decoderInputs(DirectWireLimits.responseBytes, responses), (bytes) => {
        decodesOrRefuses(decodeDirectResponse, bytes)
      }),
      { numRuns: RUNS },
    )
  })

  it('whatever a request decodes to holds no relay circuit and at most 8 addresses', () => {
    fc.assert(
      fc.property(decoderInputs(DirectWireLimits.requestBytes, requests), (bytes) => {
        let r
        try {
          r = decodeDirectRequest(bytes)
        } catch {
          return
        }
        expect(r.addrs.length).toBeLessThanOrEqual(DirectWireLimits.addrs)
        expect(r.addrs.some((a) => a.includes('/p2p-circuit'))).toBe(false)
      }),
      { numRuns: RUNS / 5 },
    )
  })
})
