/** The transfer table survives a restart, keeps only recent served offsets, and shrugs off a torn file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TransferTable } from './table.js'
import type { TransferRecord } from './transfer.js'

const dirs: string[] = []
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'parley-table-'))
  dirs.push(d)
  return join(d, 'transfers.json')
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const record = (transfer: string, at: number): TransferRecord => ({
  transfer,
  name: 'a',
  size: 10,
  sha256: '00'.repeat(32),
  direction: 'out',
  peer: 'bob',
  offer: `offer-${transfer}`,
  device: 'd',
  state: 'offered',
  received: 0,
  acceptedBy: [],
  servedFrom: [],
  at,
})

describe('TransferTable', () => {
  it('keeps transfers across a restart, found by id or by offer', () => {
    const path = fresh()
    const t = new TransferTable(path)
    t.put(record('b', 2))
    t.put(record('a', 1))
    t.update('a', { state: 'accepted', acceptedBy: ['bob-phone'] })
    const again = new TransferTable(path)
    expect(again.all().map((r) => r.transfer)).toEqual(['a', 'b'])
    expect(again.byOffer('offer-a')).toMatchObject({ state: 'accepted', acceptedBy: ['bob-phone'] })
    expect(again.get('zz')).toBeUndefined()
  })

  it('remembers the last 20 offsets served', () => {
    const path = fresh()
    const t = new TransferTable(path)
    t.put(record('a', 1))
    for (let i = 0; i < 25; i++) t.served('a', i)
    expect(new TransferTable(path).get('a')?.servedFrom).toEqual([...Array(20).keys()].map((i) => i + 5))
  })

  it('starts empty from a torn file', () => {
    const path = fresh()
    writeFileSync(path, '[{"transfer":')
    expect(new TransferTable(path).all()).toEqual([])
  })
})
