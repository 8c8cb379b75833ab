/**
 * The ringtone, made in the page: a WAV of two short bursts of 440 + 480 Hz
 * (the North American ring's pair of tones) and a pause, which the ringing
 * page loops on an <audio> element. No file is downloaded or shipped, and
 * nobody's recording is used. Its blob: URL is allowed by the page's CSP
 * (media-src 'self' blob:, src/device/web-files.ts).
 */

export const SAMPLE_RATE = 8_000
/** One cycle: burst, gap, burst, pause (seconds). */
const CADENCE: ReadonlyArray<[on: boolean, seconds: number]> = [
  [true, 0.4],
  [false, 0.2],
  [true, 0.4],
  [false, 1.8],
]
const FADE_S = 0.01
const VOLUME = 0.35

/** One cycle of the ring as a 16-bit mono PCM WAV file. */
export function ringtoneWav(rate = SAMPLE_RATE): Uint8Array {
  const samples: number[] = []
  for (const [on, seconds] of CADENCE) {
    const n = Math.round(seconds * rate)
    const fade = Math.round(FADE_S * rate)
    for (let i = 0; i < n; i++) {
      if (!on) {
        samples.push(0)
        continue
      }
      const t = i / rate
      // A short fade in and out, so that each burst starts and stops without a click.
      const envelope = Math.min(1, i / fade, (n - 1 - i) / fade)
      samples.push(
        ((Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 480 * t)) / 2) * envelope * VOLUME,
      )
    }
  }
  const data = samples.length * 2
  const bytes = new Uint8Array(44 + data)
  const v = new DataView(bytes.buffer)
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)))
  ascii(0, 'RIFF')
  v.setUint32(4, 36 + data, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  v.setUint32(16, 16, true) // the fmt chunk's size
  v.setUint16(20, 1, true) // PCM
  v.setUint16(22, 1, true) // mono
  v.setUint32(24, rate, true)
  v.setUint32(28, rate * 2, true) // bytes a second
  v.setUint16(32, 2, true) // bytes a frame
  v.setUint16(34, 16, true) // bits a sample
  ascii(36, 'data')
  v.setUint32(40, data, true)
  samples.forEach((s, i) => v.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, s)) * 32_767), true))
  return bytes
}

let url: string | undefined

/** The ringtone's blob: URL, made once per page. */
export function ringtoneUrl(): string {
  url ??= URL.createObjectURL(new Blob([ringtoneWav() as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }))
  return url
}
