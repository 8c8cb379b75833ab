/**
 * A kad-dht get timed as Parley's lookup is: to its first valid value. kad-dht's
 * own `get` holds every VALUE back until the whole query has ended, then yields
 * the best one; the records themselves arrive earlier, on the peers'
 * PEER_RESPONSE events (already checked by the DHT's validators). So the get
 * ends at the first response whose record is valid for the key, and leaving
 * the loop aborts the rest of the query (kad-dht's query manager aborts a
 * query whose consumer stopped early; the caller aborts its signal as well).
 */
import type { KadAnswer } from './kad-protocol.js'
import type { Outcome } from './stats.js'

/** The parts of a kad-dht QueryEvent that carry a value or an error (QueryEvent is assignable to it). */
export interface GetEvent {
  name: string
  record?: { value: Uint8Array }
  value?: Uint8Array
  error?: Error
}

export type GetEnd<T> =
  | { kind: 'found'; found: T }
  /** The query ran to its end: peers answered, none with a valid record. */
  | { kind: 'nobody'; responses: number; errors: number; invalid: number }
  /** The query failed or timed out, or no peer answered at all: kad could not say. */
  | { kind: 'unavailable'; error: string; responses: number; errors: number; invalid: number }

/**
 * Reads the get's events until the first value that `valid` accepts (it
 * returns what it read from the record, or undefined for an invalid one).
 */
export async function firstValid<T>(
  events: AsyncIterable<GetEvent>,
  valid: (value: Uint8Array) => T | undefined,
): Promise<GetEnd<T>> {
  let responses = 0
  let errors = 0
  let invalid = 0
  try {
    for await (const event of events) {
      if (event.name === 'QUERY_ERROR') errors++
      if (event.name === 'PEER_RESPONSE') responses++
      const value =
        event.name === 'PEER_RESPONSE'
          ? event.record?.value
          : event.name === 'VALUE'
            ? event.value
            : undefined
      if (value === undefined) continue
      const found = valid(value)
      if (found !== undefined) return { kind: 'found', found }
      invalid++
    }
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    return { kind: 'unavailable', error, responses, errors, invalid }
  }
  if (responses === 0)
    return { kind: 'unavailable', error: `no peer answered (${errors} errors)`, responses, errors, invalid }
  return { kind: 'nobody', responses, errors, invalid }
}

/**
 * What one get counts as in the bench: ok only for the user's own device;
 * `no answer` is the bench's request failing (its timeout, the process gone).
 */
export function classifyGet(
  answer: KadAnswer | { noAnswer: string },
  user: string,
  deviceId: string | undefined,
): { outcome: Outcome; error?: string } {
  if ('noAnswer' in answer)
    return { outcome: 'unavailable', error: `no answer from the kad-dht process: ${answer.noAnswer}` }
  if (answer.ok) {
    if (answer.username === user && answer.deviceId === deviceId) return { outcome: 'ok' }
    return {
      outcome: 'wrong',
      error: `the record of ${answer.username ?? '?'}, device ${answer.deviceId ?? '?'}`,
    }
  }
  return { outcome: answer.outcome ?? 'error', error: answer.error }
}

/**
 * A get of a username nobody has: ok when the query ended with peers answering and no record
 * ("nobody"), as Parley's "not found" phases count an empty answer; a record is `wrong`.
 */
export function classifyMissingGet(answer: KadAnswer | { noAnswer: string }): {
  outcome: Outcome
  error?: string
} {
  if ('noAnswer' in answer)
    return { outcome: 'unavailable', error: `no answer from the kad-dht process: ${answer.noAnswer}` }
  if (answer.ok)
    return { outcome: 'wrong', error: `a record for a name nobody has: ${answer.username ?? '?'}` }
  if (answer.outcome === 'nobody') return { outcome: 'ok' }
  return { outcome: answer.outcome ?? 'error', error: answer.error }
}
