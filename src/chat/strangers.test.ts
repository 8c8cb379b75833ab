/** Caps on strangers' held messages and pending requests (issue 10, L2): the pure rule, then the chat core. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { ChatFixtures, crafted, type Dev } from './hostile.fixtures.js'
import { DEFAULT_STRANGER_LIMITS, strangerRefusal, type StrangerEvent } from './strangers.js'

const LIMITS = { heldPerStranger: 3, strangers: 2 }
const text = (contact: StrangerEvent['contact'], mine = false): StrangerEvent => ({
  kind: ChatKind.TEXT,
  mine,
  contact,
})

describe('strangerRefusal', () => {
  it('defaults to 50 held messages per stranger and 500 strangers', () => {
    expect(DEFAULT_STRANGER_LIMITS).toEqual({ heldPerStranger: 50, strangers: 500 })
  })

  it('refuses a stranger’s message past its held cap', () => {
    expect(strangerRefusal(text('pending'), { heldFrom: 2, strangers: 0 }, LIMITS)).toBeUndefined()
    expect(strangerRefusal(text('pending'), { heldFrom: 3, strangers: 0 }, LIMITS)).toBe(
      ErrorCode.StrangerLimit,
    )
    expect(strangerRefusal(text('removed'), { heldFrom: 3, strangers: 0 }, LIMITS)).toBe(
      ErrorCode.StrangerLimit,
    )
  })

  it('refuses a new stranger past the strangers cap, but not one already waiting', () => {
    const full = { heldFrom: 0, strangers: 2 }
    expect(strangerRefusal(text(undefined), full, LIMITS)).toBe(ErrorCode.StrangerLimit)
    const request = (contact: StrangerEvent['contact']) => ({
      kind: ChatKind.CONTACT_REQUEST,
      mine: false,
      contact,
    })
    expect(strangerRefusal(request(undefined), full, LIMITS)).toBe(ErrorCode.StrangerLimit)
    expect(strangerRefusal(request('declined'), full, LIMITS)).toBe(ErrorCode.StrangerLimit)
    expect(strangerRefusal(request('pending'), full, LIMITS)).toBeUndefined()
    expect(strangerRefusal(text('pending'), full, LIMITS)).toBeUndefined()
  })

  it('never caps contacts, our own devices, the blocked (dropped anyway) or other kinds', () => {
    const over = { heldFrom: 99, strangers: 99 }
    expect(strangerRefusal(text('accepted'), over, LIMITS)).toBeUndefined()
    expect(strangerRefusal(text(undefined, true), over, LIMITS)).toBeUndefined()
    expect(strangerRefusal(text('blocked'), over, LIMITS)).toBeUndefined()
    expect(
      strangerRefusal({ kind: ChatKind.READ, mine: false, contact: 'pending' }, over, LIMITS),
    ).toBeUndefined()
  })
})

describe('the chat core against a stranger’s flood', () => {
  let fx: ChatFixtures
  let bob: Dev, mallory: Dev, alice: Dev

  beforeAll(async () => {
    fx = await ChatFixtures.create()
    bob = await fx.device('bob')
    mallory = await fx.device('mallory')
    alice = await fx.device('alice')
  })
  afterAll(() => fx.remove())

  it('holds 50 of a stranger’s messages, refuses the rest in the ack, and names the refusal once per sender', () => {
    const flood = Array.from({ length: 60 }, (_, i) =>
      crafted(mallory, 'bob', ChatKind.TEXT, { text: `m${i}` }),
    )
    const r = bob.chat.receive(flood)
    expect([r.committed.length, r.refused.length]).toEqual([50, 10])
    expect(bob.chat.store.heldFrom('mallory')).toBe(50)
    expect(new Set(bob.refusals.map((x) => `${x.code} ${x.from}`))).toEqual(
      new Set(['stranger_limit mallory']),
    )
    // Another stranger is not affected, nor is mallory once bob accepts her.
    expect(bob.chat.receive([crafted(alice, 'bob', ChatKind.TEXT, { text: 'hi' })]).committed).toHaveLength(1)
    bob.chat.store.setContact('mallory', 'accepted', Date.now())
    expect(bob.chat.receive([crafted(mallory, 'bob', ChatKind.TEXT, { text: 'ok' })]).committed).toHaveLength(
      1,
    )
  })
})
