/** Runs the real `parley` executable, as a user would, and long-running roles as child processes. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PARLEY = join(import.meta.dirname, '..', '..', 'bin', 'parley.js')

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  input?: string
  timeoutMs?: number
  /** The `parley` executable to run (default this build's; see release.ts for an older one). */
  bin?: string
}

export function run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? PARLEY, ...args], {
      env: { ...process.env, PARLEY_LOG: process.env.PARLEY_LOG ?? 'warn', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`parley ${args.join(' ')} timed out\n${stdout}\n${stderr}`))
    }, opts.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(opts.input ?? '')
  })
}

export function tempDir(prefix = 'parley-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export { freePort } from '../../src/devnet/ports.js'

export interface Daemon {
  child: ChildProcess
  output(): string
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `parley <args>` and waits until a line of its standard output matches `ready`. */
export function startDaemon(
  args: string[],
  ready: RegExp,
  opts: RunOptions = {},
): Promise<Daemon & { match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? PARLEY, ...args], {
      env: { ...process.env, PARLEY_LOG: process.env.PARLEY_LOG ?? 'warn', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
    const daemon: Daemon = {
      child,
      output: () => out,
      stop: async (signal = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
        return exited
      },
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`parley ${args.join(' ')} did not start:\n${out}`))
    }, opts.timeoutMs ?? 30_000)
    const onData = (d: Buffer): void => {
      out += d.toString()
      const match = ready.exec(out)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ ...daemon, match })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`parley ${args.join(' ')} exited with ${code}:\n${out}`))
    })
  })
}
