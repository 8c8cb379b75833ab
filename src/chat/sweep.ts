/**
 * The service's periodic look around: idle → away for our own status (the
 * decision is own-status.ts), and every CONTACT_SWEEP_MS, contacts shown
 * online none of whose devices the directory lists any more (crashed, never
 * said goodbye) → offline.
 */
import type { Logger } from '../log/logger.js'
import type { Presence } from '../trust/presence.js'
import type { OwnStatus } from './own-status.js'
import type { ChatStore } from './store.js'

export const CONTACT_SWEEP_MS = 30_000

/** How often to look: often enough to turn away on time, at most every CONTACT_SWEEP_MS. */
export function sweepEvery(awayAfterMs: number): number {
  return awayAfterMs > 0 ? Math.min(CONTACT_SWEEP_MS, Math.max(1_000, awayAfterMs / 4)) : CONTACT_SWEEP_MS
}

export interface SweepComponents {
  own: Pick<OwnStatus, 'tick'>
  store: Pick<ChatStore, 'contacts' | 'setPresence'>
  /** A user's online devices (cached lookups); throws when the directory cannot answer. */
  devicesOf(username: string): Promise<Presence[]>
  /** Our own status moved by itself (idle → away): tell our clients and contacts. */
  ownStatusChanged(): Promise<void>
  /** A contact was marked offline. */
  contactOffline(username: string): void
  log: Logger
  /** Milliseconds since the epoch; Date.now unless a test says. */
  now?: () => number
}

export class Sweep {
  private lastContactSweep = 0
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(private readonly c: SweepComponents) {
    this.now = c.now ?? Date.now
  }

  start(everyMs: number): void {
    // A failed sweep (the store closing under it) is logged; the next one runs as usual.
    this.timer = setInterval(
      () => void this.sweep().catch((err: unknown) => this.c.log.warn({ err }, 'sweep failed')),
      everyMs,
    )
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Idle → away; contacts whose devices all vanished (crashed) → offline. */
  async sweep(): Promise<void> {
    if (this.c.own.tick(this.now())) await this.c.ownStatusChanged()
    if (this.now() - this.lastContactSweep < CONTACT_SWEEP_MS) return
    this.lastContactSweep = this.now()
    for (const c of this.c.store.contacts(['accepted'])) {
      if (c.presence === 'offline') continue
      const devices = await this.c.devicesOf(c.username).catch(() => undefined)
      if (
        devices !== undefined &&
        devices.length === 0 &&
        this.c.store.setPresence(c.username, 'offline', this.now())
      )
        this.c.contactOffline(c.username)
    }
  }
}
