/**
 * Call signals over the web client's live socket (`/v1/ws`), the way a page
 * sends them since issue 12: no HTTP request per signal, and no waiting for
 * one signal to be taken before the next leaves (the device keeps them in
 * order per device: ordered-push.ts). `POST /v1/call/signal/:user` stays for
 * the CLI and older pages.
 *
 *   page → device  {type: 'call-signal', id, to, payload}
 *   device → page  {type: 'call-signal-sent', id, devices, contactDevices, timing}
 *                  {type: 'call-signal-error', id?, error: {code, message}}
 *
 * A bad frame is answered with a stable code and changes nothing else: the
 * socket stays open, other sockets and the device go on.
 */
import { apiError } from '../device/api-errors.js'
import { ChatLimits } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { isUsername } from '../wire/fields.js'
import type { CallChat } from './api.js'
import type { SignalTimings } from './signals.js'

/**
 * The largest frame a page may send; a larger one closes that socket (1009,
 * the `ws` package's own check). Room for a 64 KiB payload escaped in JSON.
 */
export const MAX_FRAME_BYTES = 192 * 1024
/** A request id is the page's own; it is echoed back. */
const MAX_ID_CHARS = 64

export interface SignalFrame {
  id: string | number
  to: string
  payload: string
}

export interface FrameError {
  type: 'call-signal-error'
  id?: string | number
  error: { code: string; message: string }
}

export interface SignalSent {
  type: 'call-signal-sent'
  id: string | number
  devices: number
  contactDevices: number
  timing: SignalTimings
}

const refused = (code: string, message: string, id?: string | number): FrameError => ({
  type: 'call-signal-error',
  ...(id === undefined ? {} : { id }),
  error: { code, message },
})

const validId = (id: unknown): id is string | number =>
  (typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_CHARS) ||
  (typeof id === 'number' && Number.isSafeInteger(id))

/** A page's frame as a signal to send, or the refusal to answer it with. */
export function parseFrame(data: string | Buffer, isBinary: boolean): SignalFrame | FrameError {
  if (isBinary) return refused(ErrorCode.Malformed, 'frames are JSON text')
  const text = typeof data === 'string' ? data : data.toString('utf8')
  let f: unknown
  try {
    f = JSON.parse(text)
  } catch {
    return refused(ErrorCode.InvalidJson, 'the frame is not JSON')
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f))
    return refused(ErrorCode.Malformed, 'a frame is a JSON object')
  const { type, id, to, payload } = f as Record<string, unknown>
  const echo = validId(id) ? id : undefined
  if (type !== 'call-signal')
    return refused(ErrorCode.Malformed, 'the only frame a page sends is {type: "call-signal"}', echo)
  if (echo === undefined)
    return refused(ErrorCode.InvalidField, 'id: a string of 1–64 characters or an integer')
  if (!isUsername(to)) return refused(ErrorCode.InvalidUsername, 'to: a contact’s username', echo)
  if (typeof payload !== 'string') return refused(ErrorCode.InvalidField, 'payload: a string', echo)
  if (Buffer.byteLength(payload) > ChatLimits.textBytes)
    return refused(ErrorCode.TooLarge, 'a signal holds at most 64 KiB', echo)
  return { id: echo, to, payload }
}

/** The answer to one frame; never throws (a failure is an error frame). */
export async function answerFrame(
  chat: CallChat | undefined,
  data: string | Buffer,
  isBinary: boolean,
): Promise<SignalSent | FrameError> {
  const frame = parseFrame(data, isBinary)
  if ('error' in frame) return frame
  if (chat === undefined) return refused('starting', 'chat is starting; try again', frame.id)
  try {
    const took = await chat.signal(frame.to, frame.payload)
    return {
      type: 'call-signal-sent',
      id: frame.id,
      devices: took.contact + took.own,
      contactDevices: took.contact,
      timing: took.timings,
    }
  } catch (err) {
    const { code, message } = apiError(err).body.error
    return refused(code, message, frame.id)
  }
}
