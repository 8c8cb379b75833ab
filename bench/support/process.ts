/**
 * Real `parley authority` processes on loopback, started the way an operator
 * would. A trimmed copy of test/support/process.ts: the build compiles only
 * src and bench, so the benchmark cannot import the test helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withTimeout } from './cleanup.js'

/** This file runs as dist/bench/support/process.js. */
const PARLEY = fileURLToPath(new URL('../../../bin/parley.js', import.meta.url))
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000
/** Enough of the authority's output to explain a failure. */
const OUTPUT_KEPT_CHARS = 16_384
/** pino's numeric level for "error". */
const PINO_ERROR = 50
const ERROR_LINES_KEPT = 20

export class AuthorityProcessError extends Error {
  override name = 'AuthorityProcessError'
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new AuthorityProcessError('could not read the probe port'))
      })
    })
  })
}

function spawnParley(args: string[], databaseUrl: string | undefined): ChildProcess {
  if (!existsSync(PARLEY)) throw new AuthorityProcessError(`${PARLEY} is missing`)
  return spawn(process.execPath, [PARLEY, ...args], {
    // An empty DATABASE_URL means SQLite, even when the benchmark's own environment names a server.
    // Logs at warn: a log line per request would measure pino as much as the authority.
    env: { ...process.env, PARLEY_LOG: 'warn', DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** `parley authority init`: a data folder with a fresh network key. */
export async function initAuthority(dataDir: string, networkId: string): Promise<void> {
  const child = spawnParley(
    ['authority', 'init', '--data-dir', dataDir, '--network-id', networkId],
    undefined,
  )
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const code = await withTimeout(
    new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', resolve)
    }),
    START_TIMEOUT_MS,
    'parley authority init',
  ).catch((err: unknown) => {
    child.kill('SIGKILL')
    throw err
  })
  if (code !== 0) throw new AuthorityProcessError(`parley authority init exited with ${code}:\n${out}`)
}

export interface AuthorityProcessOptions {
  dataDir: string
  /** PostgreSQL database; SQLite in the data folder without one. */
  databaseUrl?: string
  /** log2(N) for scrypt; the authority's default when omitted. */
  passwordCost?: number
  /** One rate for all three limiters, e.g. "1000000/1s". */
  rate: string
}

export interface AuthorityProcess {
  url: string
  store: string
  /** The last part of its standard output and error. */
  output: () => string
  /** Its first log lines at error level or above: it may have failed while every request succeeded. */
  loggedErrors: () => string[]
  /** SIGTERM, then SIGKILL if it does not stop in time; resolves to the exit code. */
  stop: () => Promise<number | null>
  /** Synchronous SIGKILL for the exit hook. */
  kill: () => void
}

export async function startAuthorityProcess(opts: AuthorityProcessOptions): Promise<AuthorityProcess> {
  const port = await freePort()
  const args = [
    'authority',
    '--data-dir',
    opts.dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--rate-user',
    opts.rate,
    '--rate-address',
    opts.rate,
    '--rate-register',
    opts.rate,
    '--rate-challenge',
    opts.rate,
    '--rate-renew',
    opts.rate,
    ...(opts.passwordCost === undefined ? [] : ['--password-cost', String(opts.passwordCost)]),
  ]
  const child = spawnParley(args, opts.databaseUrl)
  let out = ''
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-OUTPUT_KEPT_CHARS)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const errors: string[] = []
  let partial = ''
  child.stderr?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) if (errors.length < ERROR_LINES_KEPT && isErrorLine(line)) errors.push(line)
  })
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const proc = {
    output: () => out,
    loggedErrors: () => [...errors],
    kill: () => {
      if (running()) child.kill('SIGKILL')
    },
    stop: async () => {
      if (running()) child.kill('SIGTERM')
      try {
        return await withTimeout(exit, STOP_TIMEOUT_MS, 'stopping the authority')
      } catch (err) {
        child.kill('SIGKILL')
        await exit
        throw err
      }
    },
  }

  const ready = await withTimeout(
    new Promise<RegExpExecArray>((resolve, reject) => {
      const onData = (): void => {
        const match = /listening at (http:\/\/\S+) \(store: (\w+)\)/.exec(out)
        if (match !== null) resolve(match)
      }
      child.stdout?.on('data', onData)
      child.once('error', reject)
      void exit.then((code) =>
        reject(new AuthorityProcessError(`parley ${args.join(' ')} exited with ${code}:\n${out}`)),
      )
    }),
    START_TIMEOUT_MS,
    'starting the authority',
  ).catch(async (err: unknown) => {
    proc.kill()
    await exit
    throw err
  })
  return { ...proc, url: ready[1] ?? '', store: ready[2] ?? '' }
}

function isErrorLine(line: string): boolean {
  if (!line.startsWith('{')) return false
  try {
    const { level } = JSON.parse(line) as { level?: unknown }
    return typeof level === 'number' && level >= PINO_ERROR
  } catch {
    return false
  }
}
