/**
 * Children that die with their parent. A local network's authority,
 * supernodes, devices and coturn must not outlive the `parley dev` or
 * `parley devnet` that started them: SIGKILLed, it could clean nothing up, and
 * the orphans kept port 7700 so the next `npm start` failed. Node's spawn
 * cannot set a parent-death signal and coturn cannot watch a pipe, so each
 * child starts through util-linux's `setpriv --pdeathsig KILL`, which sets it
 * and then execs the program (same pid, nothing in between). Where setpriv is
 * missing (not Linux), children start as before.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

/** spawn(), with the child killed by the kernel when this process dies, however it dies. */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (SETPRIV === undefined) return spawn(command, args, options)
  return spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
}
