/**
 * What an image file is, from its first bytes and never from its name or
 * declared type: PNG, JPEG, GIF or WebP, and its width and height as its
 * header says, so a preview can refuse a picture too big to decode before
 * decoding it. Pure: bytes in, an answer out.
 */

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp'

export interface ImageHead {
  type: ImageType
  width: number
  height: number
}

/** How many leading bytes imageHead needs at most (a JPEG's frame header can sit after large metadata). */
export const HEAD_BYTES = 256 * 1024

const starts = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v)
const ascii = (b: Uint8Array, text: string, at: number) =>
  starts(
    b,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  )

/** The image type the magic bytes name, or undefined when they name none of the four. */
export function imageType(b: Uint8Array): ImageType | undefined {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (starts(b, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (ascii(b, 'GIF87a', 0) || ascii(b, 'GIF89a', 0)) return 'gif'
  if (ascii(b, 'RIFF', 0) && ascii(b, 'WEBP', 8)) return 'webp'
  return undefined
}

/** The type and size in the header, or undefined when the bytes are no image of the four or say no size. */
export function imageHead(b: Uint8Array): ImageHead | undefined {
  const type = imageType(b)
  if (type === undefined) return undefined
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const size = sizeOf(type, b, v)
  if (size === undefined || size.width < 1 || size.height < 1) return undefined
  return { type, ...size }
}

type Size = { width: number; height: number } | undefined

function sizeOf(type: ImageType, b: Uint8Array, v: DataView): Size {
  try {
    switch (type) {
      case 'png':
        // The first chunk is IHDR: width and height, big-endian.
        return ascii(b, 'IHDR', 12) ? { width: v.getUint32(16), height: v.getUint32(20) } : undefined
      case 'gif':
        return { width: v.getUint16(6, true), height: v.getUint16(8, true) }
      case 'webp':
        return webpSize(b, v)
      case 'jpeg':
        return jpegSize(b, v)
    }
  } catch {
    // a header cut short (RangeError): no size
    return undefined
  }
}

function webpSize(b: Uint8Array, v: DataView): Size {
  // VP8X: width and height less one, 24 bits each, little-endian.
  const u24 = (at: number) => v.getUint16(at, true) | (v.getUint8(at + 2) << 16)
  if (ascii(b, 'VP8X', 12)) return { width: 1 + u24(24), height: 1 + u24(27) }
  if (ascii(b, 'VP8L', 12)) {
    const bits = v.getUint32(21, true)
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) }
  }
  if (ascii(b, 'VP8 ', 12) && starts(b, [0x9d, 0x01, 0x2a], 23))
    return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff }
  return undefined
}

/** Walks the JPEG's segments to the first frame header (SOF0 to SOF15, less DHT, JPG and DAC). */
function jpegSize(b: Uint8Array, v: DataView): Size {
  let at = 2
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined
    const marker = b[at + 1]!
    if (marker === 0xff) {
      at++
      continue
    }
    const length = v.getUint16(at + 2)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { width: v.getUint16(at + 7), height: v.getUint16(at + 5) }
    if (length < 2) return undefined
    at += 2 + length
  }
  return undefined
}

/** The size that fits within `max` on each side, keeping the shape; never larger than the original. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / width, max / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}
