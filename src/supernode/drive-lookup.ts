/** Runs the sans-IO Lookup core on real timers and real requests. */
import type { Lookup, LookupResult, ReplicaAnswer } from '../directory/lookup.js'

export function driveLookup(
  core: Lookup,
  ask: (peerId: string) => Promise<ReplicaAnswer>,
): Promise<LookupResult> {
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
            core.onAnswer(p, answer, Date.now())
            pump()
          },
          () => {
            core.onAnswer(p, { kind: 'error' }, Date.now())
            pump()
          },
        )
      }
      const result = core.result()
      clearTimeout(timer)
      if (result !== undefined) {
        done = true
        resolve(result)
        return
      }
      const at = core.pollTimeout()
      if (at !== undefined) timer = setTimeout(pump, Math.max(0, at - Date.now()))
    }
    pump()
  })
}
