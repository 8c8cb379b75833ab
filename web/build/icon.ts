/**
 * Parley's app icon as PNG, drawn at build time (no image tool, no download):
 * a white speech bubble on the client's blue, full bleed so that the same
 * picture serves as a maskable icon (the bubble stays inside the middle 60 %,
 * the safe zone a launcher may crop to). public/icon.svg is the same drawing.
 */
import { crc32, deflateSync } from 'node:zlib'

const BLUE = [0x06, 0x68, 0xa8] as const
/** Samples per pixel side: the bubble's edge is anti-aliased by averaging 4 × 4 samples. */
const SUB = 4

/** Whether the point (in units of the icon's side, 0..1) is on the bubble: an ellipse and its tail. */
export function onBubble(x: number, y: number): boolean {
  const ex = (x - 0.5) / 0.3
  const ey = (y - 0.46) / 0.22
  if (ex * ex + ey * ey <= 1) return true
  // The tail: a triangle under the ellipse's lower left, pointing down and left.
  const [ax, ay, bx, by, cx, cy] = [0.36, 0.6, 0.5, 0.64, 0.3, 0.76]
  const d = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay)
  const s = ((bx - x) * (cy - y) - (cx - x) * (by - y)) / d
  const t = ((cx - x) * (ay - y) - (ax - x) * (cy - y)) / d
  return s >= 0 && t >= 0 && s + t <= 1
}

/** The icon's RGBA pixels, `size` × `size`. */
export function iconPixels(size: number): Uint8Array {
  const rgba = new Uint8Array(size * size * 4)
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      let white = 0
      for (let sy = 0; sy < SUB; sy++)
        for (let sx = 0; sx < SUB; sx++)
          if (onBubble((px + (sx + 0.5) / SUB) / size, (py + (sy + 0.5) / SUB) / size)) white++
      const share = white / (SUB * SUB)
      const at = (py * size + px) * 4
      // Blue blended toward white by the share of the pixel the bubble covers.
      rgba.set([...BLUE.map((c) => Math.round(c + (0xff - c) * share)), 0xff], at)
    }
  return rgba
}

/** A PNG file of `size` × `size` RGBA pixels: signature, IHDR, one IDAT, IEND. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    // Each row starts with its filter type: 0, none.
    rows[y * (size * 4 + 1)] = 0
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8 bits per channel, RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

export const iconPng = (size: number): Buffer => encodePng(size, iconPixels(size))
