/**
 * The TURN relay of a local network: Debian's coturn (`turnserver`), on
 * loopback, with a static auth secret shared with the supernodes, which issue
 * short-lived credentials from it. Absent binary: the network runs without
 * TURN (calls then only connect directly), and says so.
 */
import { randomBytes } from 'node:crypto'
import {
  accessSync,
  constants,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './ports.js'
import { spawnTied } from './tied.js'

export const TURNSERVER = '/usr/bin/turnserver'

export interface TurnServer {
  urls: string[]
  secretFile: string
  stop(): Promise<void>
}

export function haveTurnServer(): boolean {
  try {
    accessSync(TURNSERVER, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.end()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

export async function startTurnServer(dir: string, logDir: string): Promise<TurnServer> {
  mkdirSync(logDir, { recursive: true })
  const secretFile = join(dir, 'turn-secret')
  if (!existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(24).toString('base64url'), { mode: 0o600 })
  const secret = readFileSync(secretFile, 'utf8').trim()
  const port = await freePort()
  const relayLow = 49152 + Math.floor(Math.random() * 10000)
  const out = createWriteStream(join(logDir, 'turn.out'), { flags: 'a' })
  const child = spawnTied(
    TURNSERVER,
    [
      '-n', // no configuration file
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      `--min-port=${relayLow}`,
      `--max-port=${relayLow + 999}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout!.pipe(out)
  child.stderr!.pipe(out)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const hard = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(hard)
    }
  }
  for (let i = 0; i < 100 && !(await listening(port)); i++) {
    if (child.exitCode !== null)
      throw new Error(`turnserver exited (${child.exitCode}); see ${join(logDir, 'turn.out')}`)
    await sleep(100)
  }
  if (!(await listening(port))) {
    await stop()
    throw new Error(`turnserver did not listen on ${port}; see ${join(logDir, 'turn.out')}`)
  }
  return {
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    secretFile,
    stop,
  }
}
