/**
 * The chat benchmark's network: startDevnet's authority, one mega-supernode
 * and three supernodes as their own processes on 127.0.0.1, every supernode
 * seeing the others alive, and the bench's users signed in (profiles in the
 * devnet's home; the devices themselves are started by the caller).
 */
import { startDevnet, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import type { Cleanup } from '../support/cleanup.js'
import { signInAll } from '../directory/accounts.js'
import { type Children, waitFor, WaitTimeoutError } from '../directory/procs.js'

const MEMBERSHIP_TIMEOUT_MS = 60_000
const STATUS_TIMEOUT_MS = 2_000

export class BrokenNetworkError extends Error {
  override name = 'BrokenNetworkError'
}

export interface SupernodeStatus {
  peerId: string
  load: number
  offlineItems: number
  members: Array<{ peerId: string; state: string }>
}

export interface ChatNet {
  devnet: Devnet
  /** username → device id of its one device. */
  deviceIds: Map<string, string>
  status(sn: DevnetNode): Promise<SupernodeStatus | undefined>
  stop(): Promise<void>
}

export async function startChatNet(
  plan: { dir: string; megas: number; supernodes: number; users: string[] },
  ctx: { cleanup: Cleanup; children: Children; signal: AbortSignal; say: (s: string) => void },
): Promise<ChatNet> {
  const devnet = await startDevnet({
    dir: plan.dir,
    megas: plan.megas,
    supernodes: plan.supernodes,
    devices: 0,
    fastReattach: true,
    onProgress: (line) => ctx.say(`devnet: ${line}`),
  })
  for (const c of [devnet.authority, ...devnet.supernodes.map((s) => s.child)]) ctx.children.add(c.process)
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => (stopped ??= devnet.stop())
  ctx.cleanup.add('stop the devnet', stop)

  const status = async (sn: DevnetNode): Promise<SupernodeStatus | undefined> => {
    try {
      const res = await fetch(`${sn.httpUrl}/v1/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) })
      return (await res.json()) as SupernodeStatus
    } catch {
      return undefined
    }
  }
  const total = devnet.supernodes.length
  let views: number[] = []
  await waitFor(
    'supernode membership',
    async () => {
      const all = await Promise.all(devnet.supernodes.map(status))
      views = all.map((s) => s?.members.filter((m) => m.state === 'alive').length ?? 0)
      return views.every((n) => n === total) || undefined
    },
    { timeoutMs: MEMBERSHIP_TIMEOUT_MS, everyMs: 250, signal: ctx.signal },
  ).catch((err: unknown) => {
    if (!(err instanceof WaitTimeoutError)) throw err
    throw new BrokenNetworkError(
      `the ${total} supernodes never agreed on who is alive: they see ${Math.min(...views)}–` +
        `${Math.max(...views)} of ${total} alive after ${MEMBERSHIP_TIMEOUT_MS / 1000} s (logs in ${devnet.logDir})`,
    )
  })
  ctx.say(`signing in ${plan.users.length} users`)
  const deviceIds = await signInAll(devnet.authorityUrl, devnet.home, plan.users, ctx.signal)
  return { devnet, deviceIds, status, stop }
}
