/**
 * When the revocation list grows, a supernode cuts revoked devices off at
 * once: their attachments are released and their connections closed (so they
 * can no longer look up, fetch offline items or get TURN credentials, which
 * all need an attachment), and their presence records are dropped, so no
 * lookup lists them. Attaching again is refused by the certificate check.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Logger } from '../log/logger.js'
import type { RecordStore } from '../directory/records.js'
import type { RevocationList } from '../trust/revocations.js'

export interface RevocationSweepInit {
  node: Libp2p
  list: () => RevocationList | undefined
  records: RecordStore
  released: (deviceId: string) => void
  log: Logger
  /** How often the list is looked at; a new one is swept at once. Default 2 s. */
  everyMs?: number
}

/** Runs until the returned stop is called; a failed sweep is logged and the next one still runs. */
export function startRevocationSweep(init: RevocationSweepInit): () => void {
  let swept: RevocationList | undefined
  const sweep = () => {
    const list = init.list()
    if (list === undefined || list === swept) return
    swept = list
    let cut = 0
    for (const conn of init.node.getConnections()) {
      const id = conn.remotePeer.toString()
      if (!list.has(id)) continue
      init.released(id)
      void init.node.hangUp(conn.remotePeer).catch(() => undefined)
      cut++
    }
    let dropped = 0
    for (const r of init.records.all(Date.now())) {
      if (!list.has(r.deviceId)) continue
      init.records.remove(r.username, r.deviceId)
      dropped++
    }
    if (cut + dropped > 0)
      init.log.info(
        { sequence: list.sequence, connections: cut, records: dropped },
        'revoked devices cut off',
      )
  }
  const timer = setInterval(() => {
    try {
      sweep()
    } catch (err) {
      init.log.error({ err }, 'revocation sweep failed')
    }
  }, init.everyMs ?? 2_000)
  timer.unref()
  return () => clearInterval(timer)
}
