/** The deciding logic of file transfer, without disk or network. */
import { describe, expect, it } from 'vitest'
import {
  cancellable,
  checkSize,
  expired,
  FileError,
  mayServe,
  offerText,
  parseOffer,
  permanent,
  ProgressGate,
  resumeFrom,
  retryDelay,
  sanitizeName,
  type TransferRecord,
} from './transfer.js'

const T = 'ab'.repeat(16)
const SUM = 'cd'.repeat(32)

const out = (change: Partial<TransferRecord> = {}): TransferRecord => ({
  transfer: T,
  name: 'a.txt',
  size: 1000,
  sha256: SUM,
  direction: 'out',
  peer: 'bob',
  offer: 'ef'.repeat(16),
  device: 'alice-device',
  state: 'accepted',
  received: 0,
  acceptedBy: ['bob-phone'],
  servedFrom: [],
  at: 0,
  ...change,
})

describe('names', () => {
  it('keeps only the last path part, drops control characters and leading dots', () => {
    expect(sanitizeName('../../etc/passwd')).toBe('passwd')
    expect(sanitizeName('C:\\Users\\x\\report.pdf')).toBe('report.pdf')
    expect(sanitizeName('.bashrc')).toBe('bashrc')
    expect(sanitizeName('a\u0000b\nc.txt')).toBe('abc.txt')
    expect(sanitizeName('..')).toBe('file')
    expect(sanitizeName('')).toBe('file')
  })

  it('caps a name at 255 UTF-8 bytes without splitting a character', () => {
    const n = sanitizeName('é'.repeat(200))
    expect(new TextEncoder().encode(n).byteLength).toBeLessThanOrEqual(255)
    expect(n).toBe('é'.repeat(127))
  })
})

describe('offers', () => {
  it('round-trip through the FILE_OFFER text', () => {
    const o = { transfer: T, name: 'a.txt', size: 5, sha256: SUM }
    expect(parseOffer(offerText(o))).toEqual(o)
  })

  it('refuse what is not a valid offer, and sanitise the name of one that is', () => {
    expect(parseOffer('not json')).toBeUndefined()
    expect(parseOffer(JSON.stringify({ transfer: 'x', name: 'a', size: 1, sha256: SUM }))).toBeUndefined()
    expect(parseOffer(JSON.stringify({ transfer: T, name: 'a', size: -1, sha256: SUM }))).toBeUndefined()
    expect(parseOffer(JSON.stringify({ transfer: T, name: 'a', size: 2 ** 33, sha256: SUM }))).toBeUndefined()
    expect(parseOffer(JSON.stringify({ transfer: T, name: '/x/../y', size: 1, sha256: SUM }))?.name).toBe('y')
  })

  it('sizes past 4 GiB fail with a clear, typed error', () => {
    expect(() => checkSize(4 * 1024 ** 3 + 1)).toThrow(FileError)
    expect(() => checkSize(4 * 1024 ** 3 + 1)).toThrow(/4 GiB/)
    expect(() => checkSize(4 * 1024 ** 3)).not.toThrow()
  })
})

describe('resume and serve', () => {
  it('resumes from the .part length, and starts over when it holds more than the file', () => {
    expect(resumeFrom(0, 10)).toBe(0)
    expect(resumeFrom(7, 10)).toBe(7)
    expect(resumeFrom(10, 10)).toBe(10)
    expect(resumeFrom(11, 10)).toBe(0)
  })

  it('serves only an accepted transfer to a device of the user who accepted it', () => {
    expect(mayServe(out(), 'bob-phone', [], 0)).toEqual({ ok: true, size: 1000 })
    expect(mayServe(out(), 'bob-laptop', ['bob-phone', 'bob-laptop'], 500)).toMatchObject({ ok: true })
    expect(mayServe(out(), 'carol-phone', ['bob-phone'], 0)).toMatchObject({
      ok: false,
      code: 'not_accepted',
    })
    expect(mayServe(out({ acceptedBy: [] }), 'bob-phone', ['bob-phone'], 0)).toMatchObject({
      code: 'not_accepted',
    })
    for (const state of ['declined', 'cancelled', 'expired'] as const)
      expect(mayServe(out({ state }), 'bob-laptop', [], 0)).toMatchObject({ code: 'withdrawn' })
    expect(mayServe(undefined, 'bob-phone', [], 0)).toMatchObject({ code: 'not_found' })
    expect(mayServe(out({ direction: 'in' }), 'bob-phone', [], 0)).toMatchObject({ code: 'not_found' })
    expect(mayServe(out(), 'bob-phone', [], 1001)).toMatchObject({ code: 'bad_offset' })
  })
})

describe('keeping offers', () => {
  it('expires an unfinished transfer after 30 days, never a finished or ended one', () => {
    const day = 24 * 3600_000
    expect(expired({ at: 0, state: 'offered' }, 30 * day)).toBe(false)
    expect(expired({ at: 0, state: 'offered' }, 30 * day + 1)).toBe(true)
    expect(expired({ at: 0, state: 'accepted' }, 31 * day)).toBe(true)
    for (const state of ['done', 'declined', 'cancelled', 'failed'] as const)
      expect(expired({ at: 0, state }, 365 * day)).toBe(false)
    expect(cancellable('offered') && cancellable('accepted')).toBe(true)
    expect(cancellable('done') || cancellable('declined')).toBe(false)
  })
})

describe('progress and retries', () => {
  it('lets at most one progress notice through per interval, and always the last', () => {
    const gate = new ProgressGate(100)
    const seen = [0, 10, 50, 99, 100, 150, 205, 210].filter((t) => gate.due(t, t, 1000))
    expect(seen).toEqual([0, 100, 205])
    expect(gate.due(211, 1000, 1000)).toBe(true)
  })

  it('backs off within a growing, capped window', () => {
    expect(retryDelay(0, 0)).toBe(250)
    expect(retryDelay(0, 0.999)).toBeLessThan(250 + 1000)
    expect(retryDelay(10, 0.999)).toBeLessThan(250 + 30_000)
    expect(retryDelay(10, 0.999)).toBeGreaterThan(250 + 20_000)
  })

  it('gives up only on refusals no retry can change', () => {
    expect(permanent('not_found')).toBe(true)
    expect(permanent('checksum_mismatch')).toBe(true)
    expect(permanent('withdrawn')).toBe(true)
    expect(permanent('not_accepted')).toBe(false)
    expect(permanent('unreachable')).toBe(false)
  })
})
