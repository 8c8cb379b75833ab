/**
 * The bench's side of the hostile processes: spawns the discard sink and the
 * attackers with `node` (an IPC channel each), aims them all at once, reads
 * their counts, and stops them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withTimeout } from '../support/cleanup.js'
import type { Aim, AttackerConfig, AttackerReport, AttackKind, FromAttacker } from './protocol.js'

const READY_TIMEOUT_MS = 90_000
const COUNT_TIMEOUT_MS = 10_000

export interface Attacker {
  kind: AttackKind
  peerId: string
  victimIds: string[]
  process: ChildProcess
}

function spawnScript(script: string, args: string[]): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url))
  // Logs at warn: a line per refused message would measure pino as much as the attack.
  return spawn(process.execPath, [path, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, PARLEY_LOG: 'warn' },
  })
}

function nextMessage<T>(child: ChildProcess, type: string, ms: number, what: string): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type?: string }): void => {
        if (m.type !== type) return
        child.off('message', onMessage)
        resolve(m as T)
      }
      child.on('message', onMessage)
      child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)))
    }),
    ms,
    what,
  )
}

export async function startSink(): Promise<{ process: ChildProcess; addrs: string[] }> {
  const child = spawnScript('./sink.js', [])
  const ready = await nextMessage<{ addrs: string[] }>(child, 'ready', READY_TIMEOUT_MS, 'the discard sink')
  return { process: child, addrs: ready.addrs }
}

export async function startAttacker(config: AttackerConfig): Promise<Attacker> {
  const child = spawnScript('./attacker.js', [JSON.stringify(config)])
  const ready = await nextMessage<Extract<FromAttacker, { type: 'ready' }>>(
    child,
    'ready',
    READY_TIMEOUT_MS,
    `the ${config.kind} attacker`,
  )
  return { kind: config.kind, peerId: ready.peerId, victimIds: ready.victimIds, process: child }
}

export function aimAll(attackers: readonly Attacker[], aim: Aim): void {
  for (const a of attackers) a.process.send({ type: 'aim', aim })
}

/** What each attacker sent since the last count. */
export function countAll(attackers: readonly Attacker[]): Promise<AttackerReport[]> {
  return Promise.all(
    attackers.map((a) => {
      const answer = nextMessage<AttackerReport>(a.process, 'count', COUNT_TIMEOUT_MS, `${a.kind} count`)
      a.process.send({ type: 'count' })
      return answer
    }),
  )
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.connected) child.send({ type: 'stop' })
  else child.kill('SIGTERM')
  await withTimeout(exited, 10_000, 'stopping a hostile process').catch(() => child.kill('SIGKILL'))
}
