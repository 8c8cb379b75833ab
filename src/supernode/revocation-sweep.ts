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

/**
 * The connected peers to cut when `list` replaces `previous`: those it revokes that `previous` did
 * not. A list re-signed at the same sequence (the authority compacts and re-signs its lists) revokes
 * no one new and cuts nobody: cutting every revoked peer again at each re-signing hung up, at random,
 * a revoked device's connection between a refusal it had just been given and its next request, which
 * then read an EOF instead of its refusal (test/hostile/revocation.test.ts, CI at ecbfe06). A revoked
 * device that connects again is refused by the certificate check, as the sweep's first cut left it.
 */
export function newlyRevoked(
  previous: Pick<RevocationList, 'has'> | undefined,
  list: Pick<RevocationList, 'has'>,
  connected: Iterable<string>,
): string[] {
  return [...new Set(connected)].filter((id) => list.has(id) && previous?.has(id) !== true)
}

/** Runs until the returned stop is called; a failed sweep is logged and the next one still runs. */
export function startRevocationSweep(init: RevocationSweepInit): () => void {
  let swept: RevocationList | undefined
  const sweep = () => {
    const list = init.list()
    if (list === undefined || list === swept) return
    const previous = swept
    swept = list
    const connections = init.node.getConnections()
    const cut = newlyRevoked(
      previous,
      list,
      connections.map((c) => c.remotePeer.toString()),
    )
    for (const id of cut) {
      init.released(id)
      const conn = connections.find((c) => c.remotePeer.toString() === id)
      if (conn !== undefined) void init.node.hangUp(conn.remotePeer).catch(() => undefined)
    }
    let dropped = 0
    for (const r of init.records.all(Date.now())) {
      if (!list.has(r.deviceId)) continue
      init.records.remove(r.username, r.deviceId)
      dropped++
    }
    if (cut.length + dropped > 0)
      init.log.info(
        { sequence: list.sequence, connections: cut.length, records: dropped },
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
