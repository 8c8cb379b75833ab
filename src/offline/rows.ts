/** The offline store's rows as SQLite gives them, and the item they make (store.ts). */
import type { StoredDeposit } from './batches.js'
import type { OfflineItem } from './types.js'

export interface ItemRow {
  seq: number
  recipient: string
  id: Buffer
  sender: string
  stored_at: number
  size: number
  nonce: Buffer
  ciphertext: Buffer
}

/** An item's row with its deposit as stored (batches.ts): for repair, which pushes deposits on. */
export type FullRow = ItemRow & StoredDeposit

export interface CopyRow {
  item: number
  device_id: string
  ephemeral: Buffer
  wrapped: Buffer
}

/** An item's columns but its deposit, which devices never get (offline-replicas.ts, toAnswer). */
export const ITEM_COLUMNS = 'seq, recipient, id, sender, stored_at, size, nonce, ciphertext'

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b)

export function itemOf(
  row: ItemRow,
  copies: readonly CopyRow[],
  deposit: Uint8Array | undefined,
): OfflineItem {
  return {
    id: bytes(row.id),
    recipient: row.recipient,
    sender: row.sender,
    storedAt: row.stored_at,
    nonce: bytes(row.nonce),
    ciphertext: bytes(row.ciphertext),
    copies: copies.map((c) => ({
      deviceId: c.device_id,
      ephemeral: bytes(c.ephemeral),
      wrapped: bytes(c.wrapped),
    })),
    ...(deposit === undefined ? {} : { deposit }),
  }
}
