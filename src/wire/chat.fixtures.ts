/**
 * Valid sample chat messages (an event, an ack, a history request and
 * response) for the chat decoder tests (chat.test.ts and chat.bytes.test.ts),
 * and builders for encodings with some fields changed. Test support only: no
 * tests of its own.
 */
import {
  ChatAck,
  ChatEvent,
  ChatKind,
  ChatPush,
  ChatResult,
  HistoryRequest,
  HistoryResponse,
} from './chat.js'
import { PresenceStatus } from './generated/parley.js'

export const many = <T>(n: number, item: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => item(i))
export const idOf = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(16).fill(n)

/** Stands in for a signed certificate envelope: the body decoder only requires one to be there. */
export const certificate = new Uint8Array(300).fill(0xce)

export const event: ChatEvent = {
  certificate,
  id: idOf(1),
  kind: ChatKind.TEXT,
  to: 'bob',
  lamport: 5n,
  sentAt: 1_700_000_000_000n,
  text: 'hello, Bob',
  refs: [idOf(2)],
  status: PresenceStatus.OFFLINE,
}
export const withEvent = (over: Partial<ChatEvent>) => ChatEvent.encode({ ...event, ...over })

export const ack: ChatAck = {
  result: ChatResult.Ok,
  code: '',
  message: '',
  committed: [idOf(1), idOf(2)],
  refused: [idOf(3)],
}
export const withAck = (over: Partial<ChatAck>) => ChatAck.encode({ ...ack, ...over })

export const historyRequest: HistoryRequest = {
  certificate,
  since: 1_700_000_000_000n,
  after: idOf(4),
  limit: 100,
}
export const withHistoryRequest = (over: Partial<HistoryRequest>) =>
  HistoryRequest.encode({ ...historyRequest, ...over })

export const historyResponse: HistoryResponse = {
  result: ChatResult.Ok,
  code: '',
  message: '',
  events: [new Uint8Array(200).fill(0xe1), new Uint8Array(10).fill(0xe2)],
  more: true,
}
export const withHistoryResponse = (over: Partial<HistoryResponse>) =>
  HistoryResponse.encode({ ...historyResponse, ...over })

export const pushOf = (events: Uint8Array<ArrayBuffer>[]) => ChatPush.encode({ events })
