import { describe, expect, it } from 'vitest'
import { classifyGet, classifyMissingGet, firstValid, type GetEvent } from './kad-get.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
/** A record is "valid" here when its text is bob's; what the bench reads from it is the device id after the colon. */
const valid = (value: Uint8Array): string | undefined => {
  const [user, device] = new TextDecoder().decode(value).split(':')
  return user === 'bob' ? device : undefined
}

/**
 * The events of a kad-dht get, shaped as kad-dht 16 emits them: the peers' records arrive on
 * PEER_RESPONSE events, and the single VALUE comes only once the whole query has ended.
 */
function query(events: GetEvent[], state: { pulled: number; drained: boolean; stopped: boolean }) {
  return (async function* () {
    try {
      for (const event of events) {
        await Promise.resolve() // each response comes in its own turn of the event loop
        state.pulled++
        yield event
      }
      state.drained = true
    } finally {
      state.stopped = true
    }
  })()
}

describe('a kad-dht get timed to its first valid value', () => {
  it('ends at the first peer response with a valid record and stops the rest of the query', async () => {
    const state = { pulled: 0, drained: false, stopped: false }
    const events: GetEvent[] = [
      { name: 'SEND_QUERY' },
      { name: 'PEER_RESPONSE' },
      { name: 'QUERY_ERROR', error: new Error('timed out') },
      { name: 'PEER_RESPONSE', record: { value: bytes('mallory:m1') } },
      { name: 'PEER_RESPONSE', record: { value: bytes('bob:d1') } },
      { name: 'PEER_RESPONSE', record: { value: bytes('bob:d1') } },
      { name: 'QUERY_ERROR', error: new Error('timed out after 180 s') },
      { name: 'VALUE', value: bytes('bob:d1') },
    ]
    const end = await firstValid(query(events, state), valid)
    expect(end).toEqual({ kind: 'found', found: 'd1' })
    expect(state).toEqual({ pulled: 5, drained: false, stopped: true })
  })

  it('answers nobody when peers answered and none had a valid record', async () => {
    const state = { pulled: 0, drained: false, stopped: false }
    const events: GetEvent[] = [
      { name: 'PEER_RESPONSE' },
      { name: 'QUERY_ERROR', error: new Error('timed out') },
      { name: 'PEER_RESPONSE', record: { value: bytes('mallory:m1') } },
    ]
    const end = await firstValid(query(events, state), valid)
    expect(end).toEqual({ kind: 'nobody', responses: 2, errors: 1, invalid: 1 })
  })

  it('answers unavailable when no peer answered, or the query failed', async () => {
    const state = { pulled: 0, drained: false, stopped: false }
    const errors: GetEvent[] = [1, 2, 3].map(() => ({ name: 'QUERY_ERROR', error: new Error('timed out') }))
    expect(await firstValid(query(errors, state), valid)).toEqual({
      kind: 'unavailable',
      error: 'no peer answered (3 errors)',
      responses: 0,
      errors: 3,
      invalid: 0,
    })
    const failing = (async function* (): AsyncGenerator<GetEvent> {
      yield await Promise.resolve({ name: 'PEER_RESPONSE' })
      throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })
    })()
    expect(await firstValid(failing, valid)).toMatchObject({
      kind: 'unavailable',
      error: 'TimeoutError: The operation was aborted due to timeout',
      responses: 1,
    })
  })
})

describe("a kad-dht get's outcome in the bench", () => {
  it("is ok only for the user's own device, and a miss is nobody or unavailable", () => {
    const answer = { id: 1, ok: true, ms: 3, username: 'bob', deviceId: 'd1' }
    expect(classifyGet(answer, 'bob', 'd1')).toEqual({ outcome: 'ok' })
    expect(classifyGet(answer, 'bob', 'd2')).toEqual({
      outcome: 'wrong',
      error: 'the record of bob, device d1',
    })
    expect(classifyGet({ id: 2, ok: false, outcome: 'nobody', error: 'not found' }, 'bob', 'd1')).toEqual({
      outcome: 'nobody',
      error: 'not found',
    })
    expect(
      classifyGet({ id: 3, ok: false, outcome: 'unavailable', error: 'no peer answered' }, 'bob', 'd1')
        .outcome,
    ).toBe('unavailable')
    expect(classifyGet({ noAnswer: 'kad-clients-1 get timed out' }, 'bob', 'd1')).toEqual({
      outcome: 'unavailable',
      error: 'no answer from the kad-dht process: kad-clients-1 get timed out',
    })
    expect(classifyGet({ id: -1, ok: false, error: 'kad-clients-1 exited (1)' }, 'bob', 'd1').outcome).toBe(
      'error',
    )
  })

  it('for a name nobody has, is ok when the query ended with no record, and a record is wrong', () => {
    expect(classifyMissingGet({ id: 1, ok: false, outcome: 'nobody', error: 'not found' })).toEqual({
      outcome: 'ok',
    })
    expect(classifyMissingGet({ id: 2, ok: true, ms: 3, username: 'bob', deviceId: 'd1' }).outcome).toBe(
      'wrong',
    )
    expect(
      classifyMissingGet({ id: 3, ok: false, outcome: 'unavailable', error: 'no peer answered' }),
    ).toEqual({
      outcome: 'unavailable',
      error: 'no peer answered',
    })
    expect(classifyMissingGet({ noAnswer: 'timed out' }).outcome).toBe('unavailable')
  })
})
