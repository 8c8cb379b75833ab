/** Runs the sans-IO Lookup core on real timers and real requests. */
import type { Lookup, LookupRecord, LookupResult, ReplicaAnswer } from '../directory/lookup.js'
import type { SlowPeers } from '../directory/slow-peers.js'

/**
 * `ask` resolves with the peer's answer or rejects (timeout, no connection).
 * With `slow`, peers that fail, and peers still silent when a faster one
 * decided the lookup, are noted slow; any answer clears that.
 */
export function driveLookup<R extends LookupRecord>(
  core: Lookup<R>,
  ask: (peerId: string) => Promise<ReplicaAnswer<R>>,
  slow?: SlowPeers,
): Promise<LookupResult<R>> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let done = false
    const pump = (): void => {
      if (done) return
      core.handleTimeout(Date.now())
      for (let peer = core.pollAsk(); peer !== undefined; peer = core.pollAsk()) {
        const p = peer
        ask(p).then(
          (answer) => {
            slow?.answered(p)
            core.onAnswer(p, answer, Date.now())
            pump()
          },
          () => {
            slow?.failed(p)
            core.onAnswer(p, { kind: 'error' }, Date.now())
            pump()
          },
        )
      }
      const result = core.result()
      clearTimeout(timer)
      if (result !== undefined) {
        done = true
        for (const p of core.overdue(Date.now())) slow?.failed(p)
        resolve(result)
        return
      }
      const at = core.pollTimeout()
      if (at !== undefined) timer = setTimeout(pump, Math.max(0, at - Date.now()))
    }
    pump()
  })
}
