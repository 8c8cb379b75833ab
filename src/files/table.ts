/**
 * The device's transfers, kept as one small JSON file in the profile so that
 * both sides resume after a restart: the sender keeps serving what it
 * offered, the receiver keeps pulling what it accepted.
 */
import { existsSync, readFileSync } from 'node:fs'
import { writePrivateJson } from '../device/private-file.js'
import type { TransferRecord } from './transfer.js'

const SERVED_KEPT = 20

export class TransferTable {
  private readonly rows = new Map<string, TransferRecord>()

  constructor(private readonly path: string) {
    if (!existsSync(path)) return
    try {
      const list = JSON.parse(readFileSync(path, 'utf8')) as TransferRecord[]
      for (const r of list) this.rows.set(r.transfer, r)
    } catch {
      // A torn file (it is written by rename, so only a foreign edit) starts empty.
    }
  }

  get(transfer: string): TransferRecord | undefined {
    return this.rows.get(transfer)
  }

  byOffer(offer: string): TransferRecord | undefined {
    return [...this.rows.values()].find((r) => r.offer === offer)
  }

  all(): TransferRecord[] {
    return [...this.rows.values()].sort((a, b) => a.at - b.at)
  }

  put(r: TransferRecord): TransferRecord {
    this.rows.set(r.transfer, r)
    this.save()
    return r
  }

  update(transfer: string, change: Partial<TransferRecord>): TransferRecord | undefined {
    const r = this.rows.get(transfer)
    if (r === undefined) return undefined
    Object.assign(r, change)
    this.save()
    return r
  }

  served(transfer: string, offset: number): void {
    const r = this.rows.get(transfer)
    if (r === undefined) return
    r.servedFrom = [...r.servedFrom, offset].slice(-SERVED_KEPT)
    this.save()
  }

  /** Progress is saved without a write per chunk; the .part file's length is the truth on restart. */
  progress(transfer: string, received: number): void {
    const r = this.rows.get(transfer)
    if (r !== undefined) r.received = Math.max(r.direction === 'out' ? r.received : 0, received)
  }

  save(): void {
    writePrivateJson(this.path, this.all())
  }
}
