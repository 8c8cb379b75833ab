/**
 * Teardown for a benchmark run: steps run last-in first-out, each with a
 * timeout, and every step runs even when an earlier one fails, so a broken
 * run still stops its processes and removes its folders.
 */

const STEP_TIMEOUT_MS = 30_000

interface Step {
  name: string
  run: () => Promise<void> | void
}

export class Cleanup {
  readonly #steps: Step[] = []
  readonly #lastResort: Array<() => void> = []

  /** Registers an asynchronous teardown step. */
  add(name: string, run: () => Promise<void> | void): void {
    this.#steps.push({ name, run })
  }

  /**
   * Registers a synchronous kill for when the process exits without running
   * the steps (an uncaught throw, a second signal). It must be idempotent.
   */
  onExit(kill: () => void): void {
    this.#lastResort.push(kill)
  }

  /** Runs every step once, newest first; returns the failures. */
  async run(): Promise<Error[]> {
    const failures: Error[] = []
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await withTimeout(Promise.resolve(step.run()), STEP_TIMEOUT_MS, step.name)
      } catch (err) {
        failures.push(new Error(`cleanup step "${step.name}" failed: ${(err as Error).message}`))
      }
    }
    return failures
  }

  runLastResort(): void {
    for (const kill of this.#lastResort) {
      try {
        kill()
      } catch {
        // Best effort on the way out: nothing is left to report to.
      }
    }
  }
}

export class TimeoutError extends Error {
  override name = 'TimeoutError'
}

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The first SIGINT/SIGTERM/SIGHUP aborts the run (the caller's finally block
 * then cleans up); later ones are ignored while that cleanup finishes, since
 * exiting early is exactly what would leave a server running. The exit hook
 * is the last resort for exits that skip the finally block.
 */
export function interruptOn(cleanup: Cleanup, controller: AbortController): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      console.error(`bench: ${signal} received; still cleaning up, please wait`)
      return
    }
    process.exitCode = 130
    controller.abort(new InterruptedError(`interrupted by ${signal}`))
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
  process.on('exit', () => cleanup.runLastResort())
}

export class InterruptedError extends Error {
  override name = 'InterruptedError'
}

/** A wrong command line: said in one line, without a stack. */
export class UsageError extends Error {
  override name = 'UsageError'
}

type ErrorClass = abstract new (...args: never[]) => Error

/**
 * A benchmark's whole run: Ctrl-C aborts it (interruptOn), its cleanup always
 * runs, and a failure becomes one line and exit code 1, never a stack trace
 * for a usage error. Errors of the `broken` classes mean the system under test
 * is broken, so there are no figures to print.
 */
export async function runBench(
  main: (signal: AbortSignal, cleanup: Cleanup) => Promise<void>,
  broken: readonly ErrorClass[] = [],
): Promise<void> {
  const controller = new AbortController()
  const cleanup = new Cleanup()
  interruptOn(cleanup, controller)
  const fail = (): void => {
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1
  }
  try {
    await main(controller.signal, cleanup)
  } catch (err) {
    if (err instanceof InterruptedError || controller.signal.aborted) {
      console.error(`bench: ${(controller.signal.reason as Error).message}; cleaning up`)
    } else if (err instanceof UsageError) {
      console.error(`bench: ${err.message}`)
    } else if (broken.some((c) => err instanceof c)) {
      console.error(`bench: broken, no figures: ${(err as Error).message}`)
    } else {
      console.error(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    }
    fail()
  } finally {
    for (const failure of await cleanup.run()) {
      console.error(`bench: ${failure.message}`)
      fail()
    }
  }
}
