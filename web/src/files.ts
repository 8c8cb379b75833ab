/**
 * File transfers as the web client sees them: the device's /v1/files routes
 * and a small store of transfers kept current by the `file-*` notices on the
 * device's WebSocket (a socket of its own, so the chat's live socket stays
 * as it is). Components read one transfer with useTransfer().
 */
import { useEffect, useSyncExternalStore } from 'react'
import type { Transfer } from './answers.js'
import { device, messageOf, ok, within } from './api.js'
import { liveSocket } from './live.js'
import { storedSession } from './session.js'

export type TransferState = 'offered' | 'accepted' | 'declined' | 'cancelled' | 'expired' | 'done' | 'failed'

/** A transfer as the device lists it: the server's own type (answers.ts). */
export type { Transfer }

/** The JSON text of a FILE_OFFER message. */
export interface OfferText {
  transfer: string
  name: string
  size: number
}

export function parseOfferText(text: string): OfferText | undefined {
  try {
    const v = JSON.parse(text) as Partial<OfferText>
    if (typeof v.transfer === 'string' && typeof v.name === 'string' && typeof v.size === 'number')
      return { transfer: v.transfer, name: v.name, size: v.size }
  } catch {
    // not an offer
  }
  return undefined
}

export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

const files = device.v1.files
const transfer = (t: string) => ({ param: { transfer: t } })
/** An answer's transfer, as this page keeps it. */
const kept = async (answer: Promise<{ transfer: Transfer }>) => (await answer).transfer

export const filesApi = {
  list: async (): Promise<Transfer[]> => (await ok(files.$get(undefined, within()))).transfers,
  // A raw body is not a simple cross-site form post, and the local API checks the Origin anyway.
  send: (to: string, file: File) =>
    kept(
      ok(
        files[':user'].$post(
          { param: { user: to } },
          {
            ...within(0),
            init: { body: file },
            headers: {
              'content-type': 'application/octet-stream',
              'x-file-name': encodeURIComponent(file.name),
            },
          },
        ),
      ),
    ),
  accept: (t: string) =>
    kept(
      ok(
        files[':transfer'][':action{accept|decline|cancel}'].$post(
          { param: { ...transfer(t).param, action: 'accept' } },
          within(0),
        ),
      ),
    ),
  decline: (t: string) =>
    kept(
      ok(
        files[':transfer'][':action{accept|decline|cancel}'].$post(
          { param: { ...transfer(t).param, action: 'decline' } },
          within(0),
        ),
      ),
    ),
  cancel: (t: string) =>
    kept(
      ok(
        files[':transfer'][':action{accept|decline|cancel}'].$post(
          { param: { ...transfer(t).param, action: 'cancel' } },
          within(0),
        ),
      ),
    ),
  /** A link opens it without a header: the session's download key, which opens downloads only, goes in the query. */
  contentUrl: (t: string) =>
    `/v1/files/${t}/content?key=${encodeURIComponent(storedSession()?.downloadKey ?? '')}`,
}

// ---- the store --------------------------------------------------------------------

const transfers = new Map<string, Transfer>()
const listeners = new Set<() => void>()
let socket: WebSocket | undefined
let users = 0

function changed(): void {
  for (const l of listeners) l()
}

export async function refreshTransfers(): Promise<void> {
  try {
    for (const t of await filesApi.list()) transfers.set(t.transfer, { ...t })
    changed()
  } catch {
    // the next notice or refresh catches up
  }
}

function onNotice(data: unknown): void {
  if (typeof data !== 'string') return
  let n: { type?: string; transfer?: string; received?: number; state?: TransferState }
  try {
    n = JSON.parse(data) as typeof n
  } catch {
    return
  }
  if (n.type === 'message' || n.type === 'hello') return void refreshTransfers()
  if (typeof n.type !== 'string' || !n.type.startsWith('file-') || n.transfer === undefined) return
  const t = transfers.get(n.transfer)
  if (t === undefined || n.type !== 'file-progress') return void refreshTransfers()
  transfers.set(n.transfer, { ...t, received: n.received ?? t.received })
  changed()
}

function open(): void {
  const ws = liveSocket()
  socket = ws
  ws.onmessage = (e: MessageEvent) => onNotice(e.data)
  ws.onclose = () => {
    if (socket === ws) socket = undefined
    if (users > 0) setTimeout(() => users > 0 && socket === undefined && open(), 1000)
  }
}

/** One transfer, current; undefined until the device lists it. */
export function useTransfer(id: string): Transfer | undefined {
  useEffect(() => {
    users++
    if (socket === undefined) open()
    void refreshTransfers()
    return () => {
      users--
      if (users === 0) socket?.close()
    }
  }, [])
  return useSyncExternalStore(
    (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    () => transfers.get(id),
  )
}

export { messageOf }
