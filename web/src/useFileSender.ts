/**
 * Sending files to the open conversation's contact, however they came: the
 * paperclip, a drop anywhere on the conversation pane, or a paste in the
 * message box. Dropped and picked files go at once, one offer each; pasted
 * ones wait in a confirmation row (a screenshot pasted by mistake should not
 * leave). Files go one after another; each refusal (over the size limit, not
 * a contact) is shown in the device's words and the others still go.
 * The conversation is keyed by its peer, so nothing pasted for one is
 * offered to another.
 */
import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent } from 'react'
import { filesApi, messageOf, refreshTransfers } from './files.js'
import { rememberSent } from './preview.js'

export interface PendingFile {
  key: string
  file: File
}

export interface FileSender {
  busy: boolean
  errors: string[]
  /** Pasted files waiting for Send or Cancel. */
  pending: PendingFile[]
  /** A file drag is over the pane. */
  dragging: boolean
  send: (files: File[]) => Promise<void>
  confirm: () => void
  discard: () => void
  /** Spread on the conversation pane: drop and paste. */
  paneProps: {
    onDragEnter: (e: DragEvent) => void
    onDragOver: (e: DragEvent) => void
    onDragLeave: (e: DragEvent) => void
    onDrop: (e: DragEvent) => void
    onPaste: (e: ClipboardEvent) => void
  }
}

/** Whether a drag carries files (not a text selection or a link dragged within the page). */
const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files')

let pasted = 0

export function useFileSender(peer: string, disabled: boolean): FileSender {
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<string[]>([])
  const [pending, setPending] = useState<PendingFile[]>([])
  const [dragging, setDragging] = useState(false)
  // dragenter and dragleave come for every child the pointer crosses: count them.
  const depth = useRef(0)

  // A file dropped beside the pane must not make the browser leave the app to show it.
  useEffect(() => {
    const keep = (e: Event) => e.preventDefault()
    window.addEventListener('dragover', keep)
    window.addEventListener('drop', keep)
    return () => {
      window.removeEventListener('dragover', keep)
      window.removeEventListener('drop', keep)
    }
  }, [])

  const send = async (files: File[]) => {
    if (files.length === 0) return
    setBusy(true)
    setErrors([])
    const failed: string[] = []
    for (const file of files) {
      try {
        const t = await filesApi.send(peer, file)
        rememberSent(t.transfer, file)
      } catch (err) {
        failed.push(`${file.name}: ${messageOf(err)}`)
      }
    }
    setErrors(failed)
    setBusy(false)
    await refreshTransfers()
  }

  const enter = (e: DragEvent) => {
    if (disabled || !carriesFiles(e)) return
    e.preventDefault()
    depth.current++
    setDragging(true)
  }
  const leave = () => {
    depth.current = Math.max(0, depth.current - 1)
    if (depth.current === 0) setDragging(false)
  }

  return {
    busy,
    errors,
    pending,
    dragging,
    send,
    confirm: () => {
      const files = pending.map((p) => p.file)
      setPending([])
      void send(files)
    },
    discard: () => setPending([]),
    paneProps: {
      onDragEnter: enter,
      onDragOver: (e) => {
        if (disabled || !carriesFiles(e)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'copy'
      },
      onDragLeave: (e) => {
        if (carriesFiles(e)) leave()
      },
      onDrop: (e) => {
        depth.current = 0
        setDragging(false)
        if (disabled || !carriesFiles(e)) return
        e.preventDefault()
        void send(Array.from(e.dataTransfer.files))
      },
      onPaste: (e) => {
        const files = Array.from(e.clipboardData.files)
        if (disabled || files.length === 0) return
        // A pasted picture is a file to offer, not text for the box.
        e.preventDefault()
        setPending((now) => [...now, ...files.map((file) => ({ key: `pasted-${++pasted}`, file }))])
      },
    },
  }
}
