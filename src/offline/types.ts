/** What the offline store holds: a sealed item, opaque to every supernode, with one copy per recipient device. */

export interface OfflineCopy {
  deviceId: string
  /** The sender's one-time X25519 public key, 32 bytes. */
  ephemeral: Uint8Array
  /** The content key sealed to this device, 72 bytes. */
  wrapped: Uint8Array
}

export interface OfflineItem {
  /** 16 bytes, the event id: the same id for the same recipient is one item. */
  id: Uint8Array
  recipient: string
  /** Set by each replica from the deposit's certificate ('' for items stored before deposits were signed). */
  sender: string
  /** Milliseconds since the epoch, set by that supernode; retention counts from here. */
  storedAt: number
  nonce: Uint8Array
  ciphertext: Uint8Array
  copies: OfflineCopy[]
  /**
   * The depositing device's signed `parley/offline-deposit/1` over this item
   * (deposit.ts), kept and pushed on by repair unchanged. Absent on items
   * stored before deposits were signed.
   */
  deposit?: Uint8Array
}

/** What an item counts against its recipient's byte quota (and roughly its wire size). */
export function itemBytes(item: OfflineItem): number {
  let bytes = item.id.byteLength + item.nonce.byteLength + item.ciphertext.byteLength
  for (const c of item.copies) bytes += c.deviceId.length + c.ephemeral.byteLength + c.wrapped.byteLength
  return bytes
}

export const hexId = (id: Uint8Array): string =>
  Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
