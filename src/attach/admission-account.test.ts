/** Admission's per-account cap (issue 10, M7), sans-IO. */
import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { ErrorCode } from '../wire/error-codes.js'
import { Admission } from './admission.js'

describe('Admission: devices per account', () => {
  it('admits 8 devices of one account by default and refuses the 9th with account_limit, without hints', () => {
    const a = new Admission({ capacity: 100 })
    for (let i = 0; i < 8; i++) expect(a.admit(`m${i}`, [], 'mallory')).toEqual({ ok: true })
    expect(a.admit('m8', [], 'mallory')).toEqual({ ok: false, hints: [], refused: ErrorCode.AccountLimit })
    expect(a.load).toBe(8)
    // Other accounts are not affected, and a device already admitted asking again is still ok.
    expect(a.admit('alice-phone', [], 'alice')).toEqual({ ok: true })
    expect(a.admit('m3', [], 'mallory')).toEqual({ ok: true })
    expect(a.devicesOf('mallory')).toBe(8)
  })

  it('gives the slot back when a device leaves; a release of an unknown device changes nothing', () => {
    const a = new Admission({ capacity: 10, perAccount: 2 })
    a.admit('m0', [], 'mallory')
    a.admit('m1', [], 'mallory')
    expect(a.admit('m2', [], 'mallory')).toMatchObject({ ok: false, refused: ErrorCode.AccountLimit })
    a.release('nobody')
    a.release('m0')
    a.release('m0')
    expect(a.devicesOf('mallory')).toBe(1)
    expect(a.admit('m2', [], 'mallory')).toEqual({ ok: true })
  })

  it('capacity still decides first for everyone else, and the per-account cap must be >= 0', () => {
    const a = new Admission({ capacity: 1, perAccount: 5 })
    expect(a.admit('a', [], 'alice')).toEqual({ ok: true })
    expect(a.admit('b', [], 'bob')).toEqual({ ok: false, hints: [] })
    expect(() => new Admission({ perAccount: -1 })).toThrow(InvalidOptionError)
  })
})
