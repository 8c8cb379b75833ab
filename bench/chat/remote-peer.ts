/** The bench's side of a chat device in its own process (peer-process.ts). */
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withTimeout } from '../support/cleanup.js'
import type { PeerProcessConfig, PeerProcessMessage } from './peer-process.js'
import { PeerSetupError } from './peer.js'

/** This file runs as dist/bench/chat/remote-peer.js, beside peer-process.js. */
const ENTRY = fileURLToPath(new URL('./peer-process.js', import.meta.url))
const START_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 15_000

export interface RemotePeer {
  name: string
  deviceId: string
  process: ChildProcess
  stop: () => Promise<void>
}

export async function forkChatPeer(
  opts: { home: string; name: string; relayedOnly: boolean; logDir: string },
  signal: AbortSignal,
): Promise<RemotePeer> {
  const config: PeerProcessConfig = {
    home: opts.home,
    name: opts.name,
    relayedOnly: opts.relayedOnly,
    logFile: join(opts.logDir, `bench-${opts.name}.log`),
  }
  const child = fork(ENTRY, [JSON.stringify(config)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, PARLEY_LOG: 'warn' },
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  const stop = async (): Promise<void> => {
    if (!running()) return
    if (child.connected) child.send({ type: 'stop' })
    else child.kill('SIGTERM')
    await withTimeout(exited, STOP_TIMEOUT_MS, `stopping ${opts.name}`).catch(async (err: unknown) => {
      child.kill('SIGKILL')
      await exited
      throw err
    })
  }
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (m: PeerProcessMessage) => {
      if (m.type === 'ready') resolve(m.deviceId)
      if (m.type === 'failed') reject(new PeerSetupError(`${opts.name} (own process): ${m.message}`))
    })
    void exited.then(() =>
      reject(new PeerSetupError(`${opts.name} (own process) exited: ${stderr.trim().slice(-1000)}`)),
    )
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  })
  try {
    const deviceId = await withTimeout(ready, START_TIMEOUT_MS, `starting ${opts.name} in its own process`)
    return { name: opts.name, deviceId, process: child, stop }
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    throw err
  }
}
