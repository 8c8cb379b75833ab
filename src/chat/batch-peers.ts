/**
 * Which devices understand batch-signed chat events (issue 12 §2), and our
 * own events in the form each device understands. A device of this version
 * serves the push and history protocols at 1.1.0 beside 1.0.0, so libp2p's
 * identify tells its peers; a device that sent us a batch-signed event
 * understands them too. Anyone else (a device from before issue 12, or one
 * whose identify has not come yet) gets our events signed alone: the body
 * is the same, only its signature differs, so the event is the same event.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { LRUCache } from 'lru-cache'
import { keyId, type Signer } from '../crypto/keys.js'
import { signedAlone } from '../trust/chat-batch.js'
import { equalBytes } from '../wire/bytes.js'
import { decodeBatchSigned, isBatched } from '../wire/batch.js'
import { CHAT_BATCH } from '../wire/chat.js'
import { decodeEnvelope } from '../wire/codec.js'

export const BatchProtocols = {
  chat: '/parley/chat/1.1.0',
  history: '/parley/history/1.1.0',
} as const

export class BatchPeers {
  private readonly known = new LRUCache<string, true>({ max: 4096 })
  private readonly ownKeyId: Uint8Array

  constructor(
    private readonly node: Pick<Libp2p, 'peerStore'>,
    private readonly signer: Signer,
  ) {
    this.ownKeyId = keyId(signer.publicKey)
  }

  /** The device sent us a batch-signed event. */
  note(deviceId: string): void {
    this.known.set(deviceId, true)
  }

  /** An event to seal for offline devices: batch-signed only if every one of them is known to understand it. */
  sealable(event: Uint8Array, devices: readonly { deviceId: string }[]): Uint8Array {
    return devices.every((d) => this.known.has(d.deviceId)) ? event : this.alone([event])[0]!
  }

  /** Whether the device understands batches, by what we heard or its identify. */
  async understands(deviceId: string): Promise<boolean> {
    if (this.known.has(deviceId)) return true
    const peer = await this.node.peerStore.get(peerIdFromString(deviceId)).catch(() => undefined)
    if (peer?.protocols.includes(BatchProtocols.chat) !== true) return false
    this.note(deviceId)
    return true
  }

  /** Our own events as a device that does not understand batches needs them: each signed alone. */
  alone(events: Uint8Array[]): Uint8Array[] {
    return events.map((e) => (isBatched(e) ? signedAlone(e, this.signer) : e))
  }

  /**
   * Stored events for a device that does not understand batches (history
   * backfill): ours signed alone; another device's batch-signed events
   * cannot be, and are left out.
   */
  servable(events: Uint8Array[]): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const e of events) {
      if (!isBatched(e)) out.push(e)
      else if (equalBytes(decodeEnvelope(decodeBatchSigned(e, CHAT_BATCH).root).keyId, this.ownKeyId))
        out.push(signedAlone(e, this.signer))
    }
    return out
  }
}
