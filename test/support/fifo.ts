/**
 * A disk that stalls, made real: a named pipe where a process writes a file. Opening a FIFO for
 * writing blocks until a reader comes, so a save to it waits as long as the test wants.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync, readSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/** Makes `path` a named pipe nobody reads. */
export function stallAt(path: string): void {
  execFileSync('mkfifo', [path])
}

/**
 * Opens the pipe for reading without blocking (which lets a writer blocked on it go on) and
 * collects what the writer writes until it closes; rejects if nothing came within `ms`.
 */
export async function readPipe(path: string, ms: number): Promise<Buffer> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const chunks: Buffer[] = []
    const buf = Buffer.alloc(1 << 16)
    const until = Date.now() + ms
    while (Date.now() < until) {
      let n = -1
      try {
        n = readSync(fd, buf)
      } catch {
        // EAGAIN: the writer has it open and has not written yet.
      }
      if (n > 0) chunks.push(Buffer.from(buf.subarray(0, n)))
      // 0 is end of file once the writer closed; before it opened, 0 means no writer yet.
      else if (n === 0 && chunks.length > 0) return Buffer.concat(chunks)
      await sleep(20)
    }
    throw new Error(`nothing was written to ${path} within ${ms} ms`)
  } finally {
    closeSync(fd)
  }
}
