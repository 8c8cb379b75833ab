/**
 * Faults a drill or a test turns on in a real supernode, honoured only when
 * the process runs with PARLEY_DRILL=1 (never in a network's normal run).
 *
 * - SIGUSR2 toggles "stores paused": the directory answers every store
 *   request busy, as a supernode shedding load would, while it goes on
 *   answering lookups, membership and attachments. Replicas that do not take
 *   a record are what hinted handoff repairs (docs/directory.md).
 */
import type { Logger } from '../log/logger.js'

export interface DrillFaults {
  /** True while directory stores are to be refused. */
  storesPaused(): boolean
  stop(): void
}

export function drillFaults(log: Logger, env: NodeJS.ProcessEnv = process.env): DrillFaults {
  if (env.PARLEY_DRILL !== '1') return { storesPaused: () => false, stop: () => {} }
  let paused = false
  const toggle = (): void => {
    paused = !paused
    log.warn({ paused }, paused ? 'drill: directory stores paused' : 'drill: directory stores resumed')
  }
  process.on('SIGUSR2', toggle)
  log.warn('drill mode (PARLEY_DRILL=1): SIGUSR2 pauses and resumes directory stores')
  return { storesPaused: () => paused, stop: () => void process.off('SIGUSR2', toggle) }
}
