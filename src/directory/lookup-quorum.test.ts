/** When a Lookup may answer "nobody": the not-found quorum, and who counts towards it. */
import { describe, expect, it } from 'vitest'
import { found, NOT_FOUND, rec, replicas, run, type Behaviour } from './lookup.fixtures.js'

describe('Lookup not-found quorum', () => {
  it('decides not-found on a quorum of two, without waiting on the third', () => {
    const { result, decidedAt, asks } = run(
      { replicas },
      { r0: { after: 1, answer: NOT_FOUND }, r1: { after: 1, answer: NOT_FOUND }, r2: 'frozen' },
    )
    expect(result).toEqual({ kind: 'not-found' })
    expect(decidedAt).toBe(2)
    expect(asks.map((a) => a.peer)).toEqual(['r0', 'r1'])
  })

  it('lets a slower replica that has the record win over an earlier not-found', () => {
    // r0 was just repaired and lacks the record; r1 is slow but has it.
    const { result } = run(
      { replicas },
      { r0: { after: 1, answer: NOT_FOUND }, r1: { after: 40, answer: found(rec('phone')) }, r2: 'frozen' },
    )
    expect(result).toEqual({ kind: 'found', records: [rec('phone')] })
  })

  it('does not answer nobody on one not-found when the replicas that may hold the record are frozen', () => {
    // r1 and r2 froze holding alice's record; r0 said not found: alice may well be online.
    const { result } = run({ replicas }, { r0: { after: 1, answer: NOT_FOUND }, r1: 'frozen', r2: 'frozen' })
    expect(result).toEqual({ kind: 'failed', reason: 'inconclusive' })
  })

  it('settles for one not-found when the others failed and may lack the record anyway', () => {
    const { result } = run(
      { replicas: ['r0', { peerId: 'r1', mayLack: true }] },
      { r0: { after: 1, answer: NOT_FOUND }, r1: 'frozen' },
    )
    expect(result).toEqual({ kind: 'not-found' })
  })

  it('goes on down the ranking past frozen replicas and newly ranked nodes that lack the record', () => {
    // Every replica froze; the next ranks were newly placed (not repaired yet) but for one that the
    // publish reached when the replicas did not acknowledge.
    const ranking = [
      'r0',
      'r1',
      'r2',
      { peerId: 'n3', mayLack: true },
      { peerId: 'n4', mayLack: true },
      { peerId: 'n5', mayLack: true },
    ]
    const { result, asks } = run(
      { replicas: ranking },
      {
        r0: 'frozen',
        r1: 'frozen',
        r2: 'frozen',
        n3: { after: 1, answer: NOT_FOUND },
        n4: { after: 1, answer: NOT_FOUND },
        n5: { after: 1, answer: found(rec('phone')) },
      },
    )
    expect(result).toEqual({ kind: 'found', records: [rec('phone')] })
    expect(asks.map((a) => a.peer)).toEqual(['r0', 'r1', 'r2', 'n3', 'n4', 'n5'])
  })

  it('weighs not-founds from nodes that may lack the record less than a timeout from one that may hold it', () => {
    const ranking = ['r0', 'r1', { peerId: 'n2', mayLack: true }, { peerId: 'n3', mayLack: true }]
    const { result } = run(
      { replicas: ranking, notFoundQuorum: 2 },
      {
        r0: 'frozen',
        r1: 'frozen',
        n2: { after: 1, answer: NOT_FOUND },
        n3: { after: 1, answer: NOT_FOUND },
      },
    )
    expect(result).toEqual({ kind: 'failed', reason: 'inconclusive' })
  })

  it('with a quorum of 3, answers nobody on 2 holders at the end of the ranking, when the others froze', () => {
    const behaviours: Record<string, Behaviour> = {
      r0: { after: 1, answer: NOT_FOUND },
      r1: { after: 1, answer: NOT_FOUND },
      r2: 'frozen',
      r3: 'frozen',
      n4: { after: 1, answer: NOT_FOUND },
    }
    const ranking = ['r0', 'r1', 'r2', 'r3', { peerId: 'n4', mayLack: true }]
    const early = run({ replicas: ranking, notFoundQuorum: 3, lastResortQuorum: 2 }, behaviours)
    expect(early.result).toEqual({ kind: 'not-found' })
    expect(early.asks.map((a) => a.peer)).toEqual(['r0', 'r1', 'r2', 'r3', 'n4'])
    // Without the last resort, the frozen holders keep it inconclusive; and one holder is not enough.
    expect(run({ replicas: ranking, notFoundQuorum: 3 }, behaviours).result).toEqual({
      kind: 'failed',
      reason: 'inconclusive',
    })
    const one = { ...behaviours, r1: 'frozen' as const }
    expect(run({ replicas: ranking, notFoundQuorum: 3, lastResortQuorum: 2 }, one).result).toEqual({
      kind: 'failed',
      reason: 'inconclusive',
    })
  })

  it('with a quorum of 3, two holders that missed a record do not hide it from the third', () => {
    const { result } = run(
      { replicas: ['r0', 'r1', 'r2', 'r3'], notFoundQuorum: 3, lastResortQuorum: 2 },
      {
        r0: { after: 1, answer: NOT_FOUND },
        r1: { after: 1, answer: NOT_FOUND },
        r2: { after: 1, answer: found(rec('phone')) },
        r3: 'frozen',
      },
    )
    expect(result).toEqual({ kind: 'found', records: [rec('phone')] })
  })

  it('still answers nobody at once when two nodes that would hold the record say so', () => {
    const ranking = ['r0', 'r1', 'r2', { peerId: 'n3', mayLack: true }]
    const { result, asks } = run(
      { replicas: ranking },
      { r0: 'frozen', r1: { after: 1, answer: NOT_FOUND }, r2: { after: 1, answer: NOT_FOUND } },
    )
    expect(result).toEqual({ kind: 'not-found' })
    expect(asks.map((a) => a.peer)).toEqual(['r0', 'r1', 'r2'])
  })
})
