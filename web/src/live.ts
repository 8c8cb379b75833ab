/**
 * The device's live notices over a WebSocket on the page's own origin
 * (`/v1/ws`): a `hello` with the user's status, then one ChatNotice per text
 * frame. A dropped socket is reopened with exponential backoff and full
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
  'call-signal',
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

/** Opens the live socket; the returned function closes it for good. */
export function connectLive(handlers: LiveHandlers, random: () => number = Math.random): () => void {
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
  return () => {
    stopped = true
    clearTimeout(timer)
    socket?.close()
  }
}
