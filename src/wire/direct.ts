/**
 * Capped, canonical decoders for /parley/direct/1.0.0 (issue 10, M6): a
 * device asks another for its direct addresses, which only its own user's
 * devices and accepted contacts' devices get. Like chat.ts, nothing but
 * WireDecodeError escapes them. Every address is a direct one (a relay
 * circuit is public already and has no place here).
 */
import { checkString, decodeCapped, invalid } from './decode.js'
import { DirectRequest, DirectResponse } from './generated/parley.js'
import { Limits } from './limits.js'

export { DirectRequest, DirectResponse }

export const DIRECT_PROTOCOL = '/parley/direct/1.0.0'

export const DirectWireLimits = {
  /** Addresses in a request or an answer. */
  addrs: 8,
  requestBytes: Limits.certificateBytes + 8 * (Limits.multiaddrChars + 4) + 64,
  responseBytes: 8 * (Limits.multiaddrChars + 4) + 1024,
} as const

export const DirectResult = { Ok: 0, Refused: 2 } as const

function checkAddrs(field: string, addrs: string[]): void {
  for (const a of addrs) {
    checkString(field, a, Limits.multiaddrChars, 2)
    if (!a.startsWith('/')) invalid(field, 'holds something that is not a multiaddr')
    if (a.includes('/p2p-circuit')) invalid(field, 'holds a relay circuit, not a direct address')
  }
}

export function decodeDirectRequest(bytes: Uint8Array): DirectRequest {
  const r = decodeCapped<DirectRequest>(
    'direct request',
    DirectRequest,
    bytes,
    DirectWireLimits.requestBytes,
    {
      addrs: DirectWireLimits.addrs,
    },
  )
  if (r.certificate.byteLength === 0) invalid('certificate', 'is missing')
  if (r.certificate.byteLength > Limits.certificateBytes) invalid('certificate', 'is too large')
  checkAddrs('addrs', r.addrs)
  return r
}

export function decodeDirectResponse(bytes: Uint8Array): DirectResponse {
  const r = decodeCapped<DirectResponse>(
    'direct response',
    DirectResponse,
    bytes,
    DirectWireLimits.responseBytes,
    { addrs: DirectWireLimits.addrs },
  )
  if (r.result !== DirectResult.Ok && r.result !== DirectResult.Refused) invalid('result', 'is unknown')
  checkString('code', r.code, 64)
  checkString('message', r.message, 512)
  checkAddrs('addrs', r.addrs)
  if (r.result === DirectResult.Refused && r.addrs.length > 0) invalid('addrs', 'come with a refusal')
  return r
}
