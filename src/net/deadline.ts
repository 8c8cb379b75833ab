/**
 * A deadline signal that costs nothing once the work is done. AbortSignal.timeout
 * keeps its timer until it fires, and then builds a DOMException (with a stack
 * trace) and dispatches an abort event even when nobody listens any more: one
 * per request, per served request and per stream waiting for its next request.
 * A profile of an idle devnet showed that as about a tenth of its CPU
 * (DOMException, abortSignal, the timer lists). This one is cleared when the
 * work ends; when it does fire, its reason is the same TimeoutError.
 */
export class Deadline {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private readonly parent: AbortSignal | undefined
  private readonly onParentAbort = (): void => this.controller.abort(this.parent?.reason)

  constructor(ms: number, parent?: AbortSignal) {
    this.signal = this.controller.signal
    this.parent = parent
    this.timer = setTimeout(() => {
      this.controller.abort(timeoutError())
      this.clear()
    }, ms)
    this.timer.unref()
    if (parent === undefined) return
    if (parent.aborted) this.onParentAbort()
    else parent.addEventListener('abort', this.onParentAbort, { once: true })
  }

  /** The work ended: no timer, no listener on the parent left behind. */
  clear(): void {
    clearTimeout(this.timer)
    this.parent?.removeEventListener('abort', this.onParentAbort)
  }
}

/** Runs `work` under a deadline that is cleared however the work ends. */
export async function withDeadline<T>(
  ms: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(ms, parent)
  try {
    return await work(deadline.signal)
  } finally {
    deadline.clear()
  }
}

/** The error a deadline gives: AbortSignal.timeout's TimeoutError. */
export function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError')
}

/**
 * Work on one stream under a deadline, without an AbortSignal: when the time
 * is up the stream is aborted, which fails whatever waits on it, and the work
 * rejects with the TimeoutError. Once Yamux and TCP sent few frames for an
 * exchange (patches/), a signal per request and per served request (its
 * AbortController, and the listener each read and write added and removed)
 * was about a tenth of an exchange's CPU.
 */
export async function onStreamWithin<T>(
  stream: { abort(err: Error): void },
  ms: number,
  work: () => Promise<T>,
): Promise<T> {
  let late = false
  const timer = setTimeout(() => {
    late = true
    stream.abort(timeoutError())
  }, ms)
  timer.unref()
  try {
    return await work()
  } catch (err) {
    throw late ? timeoutError() : err
  } finally {
    clearTimeout(timer)
  }
}
