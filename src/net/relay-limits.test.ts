/** Per-peer totals of relayed connections (issue 10, M7), sans-IO. */
import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../util/errors.js'
import { ErrorCode } from '../wire/error-codes.js'
import { checkRelayPerPeer, DEFAULT_RELAY_PER_PEER, relayRefusal } from './relay-limits.js'

describe('relayRefusal', () => {
  it('lets a relayed connection open while both ends are under the limit', () => {
    expect(relayRefusal({ fromSource: 0, toDestination: 0 }, 4)).toBeUndefined()
    expect(relayRefusal({ fromSource: 3, toDestination: 3 }, 4)).toBeUndefined()
  })

  it('refuses relay_limit when the source or the destination holds the limit', () => {
    expect(relayRefusal({ fromSource: 4, toDestination: 0 }, 4)).toBe(ErrorCode.RelayLimit)
    expect(relayRefusal({ fromSource: 0, toDestination: 4 }, 4)).toBe(ErrorCode.RelayLimit)
  })

  it('defaults to 32 and refuses a limit below 1', () => {
    expect(DEFAULT_RELAY_PER_PEER).toBe(32)
    expect(checkRelayPerPeer(1)).toBe(1)
    expect(() => checkRelayPerPeer(0)).toThrow(InvalidOptionError)
    expect(() => checkRelayPerPeer(2.5)).toThrow(InvalidOptionError)
  })
})
