/**
 * The devices under measurement: the sender and two recipients in this
 * process (one reachable directly, one only through a relay), the same two
 * kinds of recipient in their own processes, and the depositors of the
 * offline measurement; then contacts, and a check that each recipient is
 * findable with the addresses its kind should publish.
 */
import { join } from 'node:path'
import { signerOf } from '../../src/crypto/keys.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import type { DevnetNode } from '../../src/devnet/devnet.js'
import { createLogger, type Logger } from '../../src/log/logger.js'
import type { Cleanup } from '../support/cleanup.js'
import { type Children, waitFor } from '../directory/procs.js'
import type { ChatNet } from './net.js'
import type { Depositor } from './offline.js'
import { PeerSetupError, startChatPeer, type ChatPeer } from './peer.js'
import { forkChatPeer } from './remote-peer.js'
import type { Target } from './target.js'

const CONTACT_TIMEOUT_MS = 30_000
const ATTACH_TIMEOUT_MS = 60_000
const FINDABLE_TIMEOUT_MS = 30_000

export const SENDER = 'alice'
const IN_PROCESS = [
  { username: 'bob', path: 'direct' },
  { username: 'carol', path: 'relayed' },
] as const
const OWN_PROCESS = [
  { username: 'dave', path: 'direct' },
  { username: 'erin', path: 'relayed' },
] as const

export function chatUsers(where: readonly Target['where'][]): string[] {
  return [
    SENDER,
    ...(where.includes('in-process') ? IN_PROCESS.map((u) => u.username) : []),
    ...(where.includes('own process') ? OWN_PROCESS.map((u) => u.username) : []),
  ]
}

export interface Peers {
  sender: ChatPeer
  targets: Target[]
  /** The recipients in this process, by username. */
  local: Map<string, ChatPeer>
  log: Logger
}

export async function startPeers(
  net: ChatNet,
  where: readonly Target['where'][],
  ctx: { cleanup: Cleanup; children: Children; signal: AbortSignal; say: (s: string) => void },
): Promise<Peers> {
  const { home, logDir } = net.devnet
  const log = createLogger('bench', {
    file: join(logDir, 'bench-devices.log'),
    level: process.env.PARLEY_LOG ?? 'warn',
  })
  const start = async (username: string, relayedOnly: boolean): Promise<ChatPeer> => {
    const peer = await startChatPeer({
      home,
      name: username,
      log: log.child({ device: username }),
      relayedOnly,
      signal: ctx.signal,
    })
    ctx.cleanup.add(`stop ${username}`, peer.stop)
    return peer
  }
  // The sender accepts no inbound connections either: otherwise a relayed recipient, which can
  // dial out, would dial it directly (to accept the contact) and the sender would use that.
  ctx.say(`starting the sender (${SENDER}) in this process`)
  const sender = await start(SENDER, true)
  const targets: Target[] = []
  const local = new Map<string, ChatPeer>()
  if (where.includes('in-process')) {
    for (const u of IN_PROCESS) {
      ctx.say(`starting ${u.username} in this process (${u.path})`)
      const peer = await start(u.username, u.path === 'relayed')
      local.set(u.username, peer)
      targets.push({ ...u, deviceId: peer.device.peerId, where: 'in-process', pid: process.pid })
    }
  }
  if (where.includes('own process')) {
    for (const u of OWN_PROCESS) {
      ctx.say(`starting ${u.username} in its own process (${u.path})`)
      const remote = await forkChatPeer(
        { home, name: u.username, relayedOnly: u.path === 'relayed', logDir },
        ctx.signal,
      )
      ctx.children.add(remote.process)
      ctx.cleanup.add(`stop ${u.username}`, remote.stop)
      targets.push({ ...u, deviceId: remote.deviceId, where: 'own process', pid: remote.process.pid ?? -1 })
    }
  }
  for (const t of targets) await checkFindable(sender, t, ctx.signal)
  await befriend(sender, targets, ctx.signal)
  return { sender, targets, local, log }
}

/**
 * The sender finds the recipient's device, with its relay circuits: a record
 * holds nothing else (M6, docs/security.md). A direct recipient tells its
 * direct addresses to the sender over /parley/direct once they are contacts.
 */
async function checkFindable(sender: ChatPeer, t: Target, signal: AbortSignal): Promise<void> {
  let last = 'no answer yet'
  await waitFor(
    `${t.username} findable`,
    async () => {
      const found = await sender.device.lookup(t.username).catch((err: unknown) => {
        last = (err as Error).message
        return []
      })
      const record = found.find((p) => p.deviceId === t.deviceId)
      if (record === undefined) return undefined
      const direct = record.addrs.filter((a) => !a.includes('/p2p-circuit'))
      const circuits = record.addrs.length - direct.length
      last = `published ${direct.length} direct and ${circuits} relay addresses`
      return (direct.length === 0 && circuits > 0) || undefined
    },
    { timeoutMs: FINDABLE_TIMEOUT_MS, everyMs: 250, signal, state: () => last },
  )
}

/** The sender asks, each recipient accepts on its own (see startChatPeer); both sides end up accepted. */
async function befriend(sender: ChatPeer, targets: Target[], signal: AbortSignal): Promise<void> {
  for (const t of targets) {
    if (sender.service.store.contact(t.username)?.state !== 'accepted')
      sender.service.chat.addContact(t.username, 'benchmark')
  }
  sender.service.delivery.kick()
  await waitFor(
    'contacts accepted',
    () => targets.every((t) => sender.service.store.contact(t.username)?.state === 'accepted') || undefined,
    {
      timeoutMs: CONTACT_TIMEOUT_MS,
      everyMs: 100,
      signal,
      state: () =>
        targets.map((t) => `${t.username}: ${sender.service.store.contact(t.username)?.state}`).join(', '),
    },
  )
}

/** Depositing devices (DeviceNodes only), each attached to the chosen supernode. */
export async function startDepositors(
  net: ChatNet,
  names: string[],
  supernode: DevnetNode,
  ctx: { cleanup: Cleanup; signal: AbortSignal },
  log: Logger,
): Promise<Depositor[]> {
  const devices = await Promise.all(
    names.map(async (name) => {
      const device = await DeviceNode.start({
        profile: new Profile(net.devnet.home, name),
        host: '127.0.0.1',
        log: log.child({ device: name }),
        // Every supernode, so each depositor is attached to the chosen one.
        attachments: net.devnet.supernodes.length,
        fastReattach: true,
      })
      ctx.cleanup.add(`stop ${name}`, () => device.stop())
      return device
    }),
  )
  await waitFor(
    `depositors attached to ${supernode.name}`,
    () => devices.every((d) => d.attachments.links.has(supernode.peerId)) || undefined,
    {
      timeoutMs: ATTACH_TIMEOUT_MS,
      everyMs: 200,
      signal: ctx.signal,
      state: () =>
        `${devices.filter((d) => d.attachments.links.has(supernode.peerId)).length} of ${devices.length}`,
    },
  )
  return Promise.all(
    devices.map(async (device, i) => {
      const link = device.attachments.links.get(supernode.peerId)
      if (link === undefined) throw new PeerSetupError(`a depositor lost ${supernode.name}`)
      // Each deposit is signed by its device (issue 10, H3).
      const key = await new Profile(net.devnet.home, names[i]).deviceKey()
      const me = { username: names[i]!, certificate: () => device.certificateBytes, signer: signerOf(key) }
      return { device, addrs: link.addrs, me }
    }),
  )
}
