/** A real authority process on loopback, for integration tests. */
import { join } from 'node:path'
import { freePort, run, startDaemon, tempDir, type Daemon } from './process.js'

export interface TestAuthority extends Daemon {
  url: string
  dataDir: string
}

export interface TestAuthorityOptions {
  /** Reuse an initialised data folder (to restart an authority). */
  dataDir?: string
  databaseUrl?: string
  port?: number
  extraArgs?: string[]
}

/** Initialises a data folder with a fast password hash, so tests do not wait on scrypt at full cost. */
export async function initAuthorityDir(
  networkId = 'parley-test',
): Promise<{ dataDir: string; remove: () => void }> {
  const dir = tempDir('parley-authority-')
  const dataDir = join(dir.path, 'authority')
  const res = await run(['authority', 'init', '--data-dir', dataDir, '--network-id', networkId])
  if (res.code !== 0) throw new Error(`authority init failed: ${res.stderr}`)
  return { dataDir, remove: dir.remove }
}

export async function startTestAuthority(opts: TestAuthorityOptions = {}): Promise<TestAuthority> {
  const dataDir = opts.dataDir ?? (await initAuthorityDir()).dataDir
  const port = opts.port ?? (await freePort())
  const args = [
    'authority',
    '--data-dir',
    dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--password-cost',
    '12',
    ...(opts.extraArgs ?? []),
  ]
  const env: NodeJS.ProcessEnv = { DATABASE_URL: opts.databaseUrl ?? '' }
  const daemon = await startDaemon(args, /listening at (http:\/\/\S+)/, { env })
  return { ...daemon, url: daemon.match[1] ?? '', dataDir }
}
