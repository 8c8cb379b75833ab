/**
 * Image previews, made in this page from bytes it already has: the File the
 * user sent, or what the device downloaded (its own download route), never a
 * URL anyone else names. The bytes are judged by their magic numbers
 * (image-sniff.ts), not by the file's name, and bounded before any decode:
 * at most PREVIEW_FILE_BYTES of file and PREVIEW_PIXELS of picture, decoded
 * one at a time into a PREVIEW_EDGE-pixel thumbnail (createImageBitmap,
 * a canvas, then an object URL), so a huge or hostile image cannot freeze
 * the page. Whatever is not a decodable image gets no preview and no error.
 */
import { fitWithin, HEAD_BYTES, imageHead, imageType } from './image-sniff.js'

export const PREVIEW_EDGE = 320
export const PREVIEW_FILE_BYTES = 32 * 1024 * 1024
export const PREVIEW_PIXELS = 50_000_000
/** Thumbnails kept for the page's life; the oldest URL is revoked past this. */
const KEPT = 200

/** A preview's thumbnail URL, or undefined for "no preview". */
export type Preview = string | undefined

const made = new Map<string, Promise<Preview>>()
/** Files this page sent, by transfer: the sender previews its own File and downloads nothing. */
const sent = new Map<string, File>()
let queue: Promise<unknown> = Promise.resolve()

export function rememberSent(transfer: string, file: File): void {
  sent.set(transfer, file)
}

export function sentFile(transfer: string): File | undefined {
  return sent.get(transfer)
}

/** The preview for `key`, made once from `source` (called only if the size allows one). */
export function previewOf(key: string, size: number, source: () => Promise<Blob>): Promise<Preview> {
  const known = made.get(key)
  if (known !== undefined) return known
  let job: Promise<Preview> = Promise.resolve(undefined)
  if (size <= PREVIEW_FILE_BYTES) {
    // One decode at a time: a second image waits for the first.
    job = queue.then(() => source().then(thumbnail)).catch(() => undefined)
    queue = job
  }
  made.set(key, job)
  forgetOldest()
  return job
}

function forgetOldest(): void {
  while (made.size > KEPT) {
    const [key, oldest] = made.entries().next().value!
    made.delete(key)
    void oldest.then((url) => url !== undefined && URL.revokeObjectURL(url))
  }
}

/**
 * A download from the device's own route (same origin), read only as far as
 * its first bytes when they are not an image: a non-image file is not
 * pulled into the page just to be judged.
 */
export async function fromDevice(url: string): Promise<Blob> {
  const res = await fetch(url, { credentials: 'omit' })
  if (!res.ok || res.body === null) throw new Error(`download answered ${res.status}`)
  const reader = res.body.getReader()
  const parts: Uint8Array<ArrayBuffer>[] = []
  let read = 0
  let judged = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    read += value.byteLength
    const tooLarge = read > PREVIEW_FILE_BYTES
    if (tooLarge || (!judged && read >= 16)) {
      judged = true
      const head = new Uint8Array(await new Blob(parts).slice(0, 16).arrayBuffer())
      if (tooLarge || imageType(head) === undefined) {
        await reader.cancel()
        throw new Error('no image to preview')
      }
    }
  }
  return new Blob(parts)
}

async function thumbnail(blob: Blob): Promise<Preview> {
  if (blob.size > PREVIEW_FILE_BYTES) return undefined
  const head = imageHead(new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer()))
  if (head === undefined || head.width * head.height > PREVIEW_PIXELS) return undefined
  const fit = fitWithin(head.width, head.height, PREVIEW_EDGE)
  const bitmap = await createImageBitmap(blob, {
    resizeWidth: fit.width,
    resizeHeight: fit.height,
    resizeQuality: 'medium',
  })
  try {
    const canvas = document.createElement('canvas')
    canvas.width = fit.width
    canvas.height = fit.height
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0)
    const png = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'))
    return png === null ? undefined : URL.createObjectURL(png)
  } finally {
    bitmap.close()
  }
}
