/** The offline protocol's answers and empty requests, built in one place. */
import { type OfflineRequest, type OfflineResponse, OfflineResult } from '../wire/chat.js'

export function emptyRequest(kind: number): OfflineRequest {
  return { kind, items: [], recipient: '', deviceId: '', ids: [], access: new Uint8Array(0) }
}

export function ok(): OfflineResponse {
  return { result: OfflineResult.Ok, code: '', message: '', items: [], more: false, retryAfterMs: 0 }
}

export function refused(code: string, message: string): OfflineResponse {
  // The capped decoders take at most 512 characters of message.
  return {
    result: OfflineResult.Refused,
    code,
    message: message.slice(0, 500),
    items: [],
    more: false,
    retryAfterMs: 0,
  }
}
