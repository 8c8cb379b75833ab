/**
 * The device's live notices over a WebSocket on the page's own origin
 * (`/v1/ws`): a `hello` with the user's status, then one ChatNotice per text
 * frame. The page sends its call signals on it too (call-transport.ts), and
 * hears each one's answer as a `call-signal-sent` or `call-signal-error`
 * notice. A dropped socket is reopened with exponential backoff and full
 * jitter; whoever listens resynchronises on each open, since notices sent
 * while it was closed are gone.
 */
import { socketProtocols } from './session.js'
import type { Notice } from './types.js'

export interface LiveHandlers {
  onOpen: () => void
  onClose: () => void
  onNotice: (notice: Notice) => void
}

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 30_000
const TYPES = new Set([
  'hello',
  'message',
  'message-updated',
  'contact',
  'presence',
  'typing',
  'profile',
  'call-signal',
  'call-signal-sent',
  'call-signal-error',
  'signed-out',
])

export function parseNotice(data: unknown): Notice | undefined {
  if (typeof data !== 'string') return undefined
  try {
    const n: unknown = JSON.parse(data)
    if (typeof n === 'object' && n !== null && TYPES.has((n as { type?: unknown }).type as string))
      return n as Notice
  } catch {
    // not JSON: ignored like any unknown frame
  }
  return undefined
}

export function liveUrl(page: Location): string {
  const url = new URL('/v1/ws', page.href)
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.href
}

/** A socket to the device's `/v1/ws`, carrying the session (session.ts). */
export function liveSocket(): WebSocket {
  return new WebSocket(liveUrl(window.location), socketProtocols())
}

export interface Live {
  /** Sends a text frame; false when the socket is not open (nothing was sent). */
  send: (text: string) => boolean
  /** Closes the socket for good. */
  stop: () => void
}

/** Opens the live socket, and reopens it until stopped. */
export function connectLive(handlers: LiveHandlers, random: () => number = Math.random): Live {
  let socket: WebSocket | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let stopped = false

  const open = (): void => {
    const ws = liveSocket()
    socket = ws
    ws.onopen = () => {
      failures = 0
      handlers.onOpen()
    }
    ws.onmessage = (e: MessageEvent) => {
      const notice = parseNotice(e.data)
      if (notice !== undefined) handlers.onNotice(notice)
    }
    ws.onclose = () => {
      if (socket === ws) socket = undefined
      if (stopped) return
      handlers.onClose()
      const cap = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures++)
      timer = setTimeout(open, FIRST_RETRY_MS + random() * cap)
    }
  }
  open()
  return {
    send: (text) => {
      if (socket?.readyState !== WebSocket.OPEN) return false
      socket.send(text)
      return true
    },
    stop: () => {
      stopped = true
      clearTimeout(timer)
      socket?.close()
    },
  }
}
