import { describe, expect, it } from 'vitest'
import { newlyRevoked } from './revocation-sweep.js'

const listOf = (...ids: string[]) => ({ has: (id: string) => ids.includes(id) })

describe('newlyRevoked: whom a new revocation list cuts off', () => {
  it('cuts every connected peer the first list revokes', () => {
    expect(newlyRevoked(undefined, listOf('a', 'b'), ['a', 'b', 'c'])).toEqual(['a', 'b'])
  })

  it('cuts only the peers a newer list adds', () => {
    expect(newlyRevoked(listOf('a'), listOf('a', 'b'), ['a', 'b', 'c'])).toEqual(['b'])
  })

  it('cuts nobody when the same revocations come re-signed, even a revoked peer that connected again', () => {
    expect(newlyRevoked(listOf('a', 'b'), listOf('a', 'b'), ['a', 'c'])).toEqual([])
  })

  it('names a peer with several connections once', () => {
    expect(newlyRevoked(undefined, listOf('a'), ['a', 'a'])).toEqual(['a'])
  })
})
