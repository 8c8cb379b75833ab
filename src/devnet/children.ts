/** Child processes of a local network: each role its own `parley` process, output in one log folder. */
import type { ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { PARLEY_BIN } from '../paths.js'
import { spawnTied } from './tied.js'

export { PARLEY_BIN }

export class ChildStartError extends Error {
  override name = 'ChildStartError'
}

export interface Child {
  name: string
  process: ChildProcess
  /** The first line that matched the ready pattern. */
  ready: RegExpMatchArray
  stop(signal?: NodeJS.Signals): Promise<void>
}

export interface SpawnOptions {
  logDir: string
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  /** The `parley` executable to run (default this build's; a test passes an older release's). */
  bin?: string
}

/** Starts `parley <args>`, appends its output to <logDir>/<name>.out, resolves when a line matches `ready`. */
export function spawnParley(name: string, args: string[], ready: RegExp, opts: SpawnOptions): Promise<Child> {
  mkdirSync(opts.logDir, { recursive: true })
  const out = createWriteStream(join(opts.logDir, `${name}.out`), { flags: 'a' })
  const child = spawnTied(process.execPath, [opts.bin ?? PARLEY_BIN, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Piped, so never null.
  const stdout = child.stdout!
  const stderr = child.stderr!
  stdout.pipe(out)
  stderr.pipe(out)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(hard)
    }
  }
  return new Promise((resolve, reject) => {
    let seen = ''
    let err = ''
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(
        new ChildStartError(
          `${name} did not start within ${(opts.timeoutMs ?? 30_000) / 1000} s; see ${join(opts.logDir, `${name}.out`)}`,
        ),
      )
    }, opts.timeoutMs ?? 30_000)
    stdout.on('data', (d: Buffer) => {
      seen += d.toString()
      const match = ready.exec(seen)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ name, process: child, ready: match, stop })
      }
    })
    stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(
        new ChildStartError(
          `${name} exited with code ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`,
        ),
      )
    })
  })
}
