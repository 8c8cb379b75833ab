import { describe, expect, it } from 'vitest'
import { circuitBudgetMs, orderCircuits, RELAY_TRY_MS, relayOf, type RelayHealth } from './relay-order.js'

const via = (relay: string): string => `/ip4/127.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit`

describe('relay order', () => {
  it('reads the relay out of a circuit address, with or without the target', () => {
    expect(relayOf(via('12D3KooRelay'))).toBe('12D3KooRelay')
    expect(relayOf(`${via('12D3KooRelay')}/p2p/12D3KooTarget`)).toBe('12D3KooRelay')
    expect(relayOf('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooTarget')).toBeUndefined()
  })

  it('dials a relay it is attached to first and one it just lost last', () => {
    const health: Record<string, RelayHealth> = { lost: 'down', mine: 'up' }
    const circuits = [via('lost'), via('other'), via('mine')]
    expect(orderCircuits(circuits, (r) => health[r] ?? 'unknown')).toEqual([
      via('mine'),
      via('other'),
      via('lost'),
    ])
  })

  it('keeps the record order among relays it knows nothing about', () => {
    const circuits = [via('a'), via('b'), via('c')]
    expect(orderCircuits(circuits, () => 'unknown')).toEqual(circuits)
  })

  it('gives each circuit but the last at most RELAY_TRY_MS, the last the whole timeout', () => {
    expect(circuitBudgetMs(5_000, 2)).toBe(RELAY_TRY_MS)
    expect(circuitBudgetMs(5_000, 1)).toBe(5_000)
    expect(circuitBudgetMs(1_000, 3)).toBe(1_000)
    expect(circuitBudgetMs(-5, 1)).toBe(0)
  })
})
