/**
 * Refusals of hostile or broken input, logged once per (protocol, code, peer)
 * and counted always: an attacker sending a million bad messages costs one log
 * line, not a million (a log flood is a denial of service of its own). The set
 * of logged keys is bounded; when it is full it starts over, so a long-running
 * node logs a persistent offender again now and then.
 */
import type { Logger } from './logger.js'

export interface RefusalCounter {
  inc(labels: { protocol: string; code: string }): void
}

export class Refusals {
  private readonly logged = new Set<string>()

  constructor(
    private readonly log: Logger,
    private readonly counter: RefusalCounter,
    private readonly maxLogged = 4096,
  ) {}

  refuse(protocol: string, code: string, peer: string, detail?: string): void {
    this.counter.inc({ protocol, code })
    const key = `${protocol}\u0000${code}\u0000${peer}`
    if (this.logged.has(key)) return
    if (this.logged.size >= this.maxLogged) this.logged.clear()
    this.logged.add(key)
    this.log.warn({ protocol, code, peer, detail }, 'refused (logged once per peer and code)')
  }
}
