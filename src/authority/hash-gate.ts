/**
 * Bounds the password hashing in progress. scrypt is the authority's costly
 * step (about 0.1 s and 32 MiB each); a login flood like Skype's of 2007
 * must not queue without end and exhaust memory. Past `maxQueued` waiting
 * requests, the authority answers "busy, try later" at once (rule 4 of
 * ARCHITECTURE.md: degrade, do not fall over).
 */
export class HashGateBusyError extends Error {
  override name = 'HashGateBusyError'
}

export class HashGate {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {}

  get queued(): number {
    return this.waiting.length
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= this.maxQueued)
        throw new HashGateBusyError('too many password checks queued')
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else {
      this.running++
    }
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      // Hand the slot straight to the next waiter; only free it when nobody waits.
      if (next === undefined) this.running--
      else next()
    }
  }
}
