/**
 * The frames a page sends on its live socket: every bad one is answered with
 * a stable code (and the id it came with, when it had a usable one), never a
 * throw; a good one is sent and answered with how many devices took it.
 */
import { describe, expect, it } from 'vitest'
import { ChatError } from '../chat/chat.js'
import type { CallChat } from './api.js'
import type { SignalOutcome } from './signals.js'
import { answerFrame } from './socket.js'

const TIMINGS = { signed: 0.5, firstTook: 3, looked: 2, done: 3 }

/** The chat service's call side, as far as a frame reaches it: what was signalled, to whom. */
function chat(outcome: (to: string) => SignalOutcome) {
  const sent: [string, string][] = []
  const c: CallChat = {
    signal: (to, payload) => {
      sent.push([to, payload])
      return Promise.resolve(outcome(to))
    },
    recordCall: () => undefined,
  }
  return { c, sent }
}

const frame = (f: unknown) => Buffer.from(JSON.stringify(f))
const ring = JSON.stringify({ call: 'c1', type: 'ring', sdp: { type: 'offer', sdp: 'v=0' } })

describe('call signal frames', () => {
  it('sends a signal and answers with how many devices took it and where the time went', async () => {
    const { c, sent } = chat(() => ({ contact: 2, own: 1, timings: TIMINGS }))
    const answer = await answerFrame(
      c,
      frame({ type: 'call-signal', id: 7, to: 'bob', payload: ring }),
      false,
    )
    expect(answer).toEqual({
      type: 'call-signal-sent',
      id: 7,
      devices: 3,
      contactDevices: 2,
      timing: TIMINGS,
    })
    expect(sent).toEqual([['bob', ring]])
  })

  it('answers each bad frame with a stable code, and signals nothing', async () => {
    const { c, sent } = chat(() => ({ contact: 1, own: 0, timings: TIMINGS }))
    const cases: [Buffer, boolean, string, (string | number)?][] = [
      [Buffer.from([0xff, 0x00]), true, 'malformed'],
      [Buffer.from('{"type":'), false, 'invalid_json'],
      [Buffer.from('"call-signal"'), false, 'malformed'],
      [frame([{ type: 'call-signal' }]), false, 'malformed'],
      [frame({ type: 'message', id: 1, to: 'bob', payload: 'x' }), false, 'malformed', 1],
      [frame({ type: 'call-signal', to: 'bob', payload: ring }), false, 'invalid_field'],
      [frame({ type: 'call-signal', id: 'x'.repeat(65), to: 'bob', payload: ring }), false, 'invalid_field'],
      [frame({ type: 'call-signal', id: 2, to: 'Bob Smith', payload: ring }), false, 'invalid_username', 2],
      [frame({ type: 'call-signal', id: 3, to: 'bob', payload: { sdp: 'x' } }), false, 'invalid_field', 3],
      [
        frame({ type: 'call-signal', id: 'a', to: 'bob', payload: 'é'.repeat(33_000) }),
        false,
        'too_large',
        'a',
      ],
    ]
    for (const [data, binary, code, id] of cases) {
      const answer = await answerFrame(c, data, binary)
      expect(answer, data.toString('utf8').slice(0, 60)).toEqual({
        type: 'call-signal-error',
        ...(id === undefined ? {} : { id }),
        error: { code, message: expect.any(String) as string },
      })
    }
    expect(sent).toEqual([])
  })

  it('a refusal of the chat service keeps its code; a device still starting says so', async () => {
    const notContact: CallChat = {
      signal: () => Promise.reject(new ChatError('not_contact', 'mallory is not a contact')),
      recordCall: () => undefined,
    }
    const f = frame({ type: 'call-signal', id: 'r1', to: 'mallory', payload: ring })
    expect(await answerFrame(notContact, f, false)).toEqual({
      type: 'call-signal-error',
      id: 'r1',
      error: { code: 'not_contact', message: 'mallory is not a contact' },
    })
    expect(await answerFrame(undefined, f, false)).toMatchObject({ id: 'r1', error: { code: 'starting' } })
    const broken: CallChat = {
      signal: () => Promise.reject(new Error('disk full')),
      recordCall: () => undefined,
    }
    expect(await answerFrame(broken, f, false)).toMatchObject({ id: 'r1', error: { code: 'internal' } })
  })
})
