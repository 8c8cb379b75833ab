/**
 * Attach 1.1's answer byte by byte: its layout, its caps (8 signed hints of
 * at most 8.5 KiB, the whole under attachAnswerBytes), and refusals.
 */
import { describe, expect, it } from 'vitest'
import { expectRefused, fromHex, hex, padTo, refusal } from './fuzz-support.js'
import { OverlayLimits } from './limits.js'
import { AttachAnswer, AttachResult, decodeAttachAnswer } from './overlay.js'

const answer: AttachAnswer = {
  result: AttachResult.Attached,
  code: '',
  message: '',
  load: 5,
  capacity: 800,
  configSequence: 7n,
  announcement: Uint8Array.from([0xaa, 0xbb]),
  hints: [Uint8Array.from([1]), Uint8Array.from([2, 3])],
}
const withAnswer = (over: Partial<AttachAnswer>) => AttachAnswer.encode({ ...answer, ...over })
const many = (n: number, size: number) => Array.from({ length: n }, () => new Uint8Array(size).fill(1))

describe('attach answer (/parley/attach/1.1.0)', () => {
  it('lays out result, load, capacity, config sequence, own announcement, then each hint as bytes', () => {
    // 20 05 load | 28 a0 06 capacity 800 | 30 07 | 3a 02 aa bb | 42 01 01 | 42 02 02 03 (result 0 omitted)
    expect(hex(withAnswer({}))).toBe('2005' + '28a006' + '3007' + '3a02aabb' + '420101' + '42020203')
    expect(decodeAttachAnswer(withAnswer({}))).toEqual(answer)
  })

  it('requires the supernode’s own announcement when it says attached, not when busy or refused', () => {
    expectRefused(
      () => decodeAttachAnswer(withAnswer({ announcement: new Uint8Array() })),
      'invalid_field',
      'announcement',
    )
    const busy = { result: AttachResult.Busy, code: 'unavailable', announcement: new Uint8Array() }
    expect(decodeAttachAnswer(withAnswer(busy)).hints).toHaveLength(2)
  })

  it('refuses an unknown result, an empty hint, and an oversized hint or announcement', () => {
    expectRefused(() => decodeAttachAnswer(withAnswer({ result: 3 })), 'invalid_field', 'result')
    expectRefused(
      () => decodeAttachAnswer(withAnswer({ hints: [new Uint8Array()] })),
      'invalid_field',
      'hints',
    )
    const big = new Uint8Array(OverlayLimits.signedHintBytes + 1)
    expectRefused(() => decodeAttachAnswer(withAnswer({ hints: [big] })), 'invalid_field', 'hints')
    expectRefused(
      () => decodeAttachAnswer(withAnswer({ announcement: big })),
      'invalid_field',
      'announcement',
    )
    const fits = new Uint8Array(OverlayLimits.signedHintBytes)
    expect(decodeAttachAnswer(withAnswer({ announcement: fits, hints: [fits] })).hints).toHaveLength(1)
  })

  it(`takes ${OverlayLimits.signedHints} hints and refuses one more`, () => {
    expect(decodeAttachAnswer(withAnswer({ hints: many(OverlayLimits.signedHints, 4) })).hints).toHaveLength(
      8,
    )
    expectRefused(
      () => decodeAttachAnswer(withAnswer({ hints: many(OverlayLimits.signedHints + 1, 4) })),
      'malformed',
    )
  })

  it('fits the largest answer the cap allows: own announcement and every hint at their cap', () => {
    const full = withAnswer({
      code: 'x'.repeat(64),
      message: 'y'.repeat(512),
      announcement: new Uint8Array(OverlayLimits.signedHintBytes).fill(9),
      hints: many(OverlayLimits.signedHints, OverlayLimits.signedHintBytes),
    })
    expect(full.byteLength).toBeLessThanOrEqual(OverlayLimits.attachAnswerBytes)
    expect(decodeAttachAnswer(full).hints).toHaveLength(OverlayLimits.signedHints)
  })

  it('refuses past the cap, unknown fields and non-canonical forms', () => {
    const valid = withAnswer({})
    expect(refusal(() => decodeAttachAnswer(padTo(valid, OverlayLimits.attachAnswerBytes))).message).toMatch(
      /not canonically encoded/,
    )
    expectRefused(() => decodeAttachAnswer(padTo(valid, OverlayLimits.attachAnswerBytes + 1)), 'too_large')
    // unknown field 15 after a valid answer: an old decoder's view of a newer answer
    expectRefused(() => decodeAttachAnswer(fromHex(hex(valid) + '7a01ff')), 'malformed')
    // load written as 0 explicitly (the default is omitted in canonical form)
    expectRefused(() => decodeAttachAnswer(fromHex('2000' + hex(withAnswer({ load: 0 })))), 'malformed')
  })
})
