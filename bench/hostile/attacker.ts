/**
 * One hostile peer, its own process (so that its CPU is measured apart from
 * the devnet's): `node attacker.js <config json>`. It sends, open loop at a
 * fixed rate per target, one of the attacks the supernodes already refuse,
 * built with the project's own wire code:
 *
 * - membership: forged pings from a throwaway key declaring every supernode
 *   dead at the highest incarnation (refused `not_member`);
 * - offline: junk deposits from a throwaway, unattached key, alternately
 *   unsigned items and items under a signature over other bytes (64 such
 *   deposits built at the start and replayed);
 * - lookup: directory lookups of random usernames from a signed-in, attached
 *   device (the profile named in the config).
 *
 * The parent aims it over IPC: at its victims, at the discard sink, or at
 * nobody; the same bytes at the same rate either way. It answers "count"
 * with what it sent since the last count.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from '@libp2p/interface'
import { generateKey, signerOf } from '../../src/crypto/keys.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { createLogger } from '../../src/log/logger.js'
import { request, send } from '../../src/net/rpc.js'
import { createDeviceHost } from '../../src/net/host.js'
import { signDeposit } from '../../src/offline/deposit.js'
import { Deadlines, Protocols } from '../../src/supernode/protocols.js'
import { plain } from '../../src/wire/bytes.js'
import { OfflineKind, OfflineRequest, type SealedItem } from '../../src/wire/chat.js'
import { DirectoryKind, DirectoryRequest, MembershipKind, MembershipMessage } from '../../src/wire/overlay.js'
import type { AttackerConfig, AttackerReport, Aim, ToAttacker } from './protocol.js'

/** Requests in flight at once; a send that finds them all busy is counted as skipped, not queued. */
const MAX_IN_FLIGHT = 256
const TOP = BigInt(Number.MAX_SAFE_INTEGER)
const DEAD = 2
const JUNK_ITEMS = 16
const JUNK_DEPOSITS = 64
const ATTACH_TIMEOUT_MS = 60_000

const config = JSON.parse(process.argv[2] ?? '{}') as AttackerConfig
const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

function forgedPing(victims: string[]): Uint8Array {
  return MembershipMessage.encode({
    kind: MembershipKind.Ping,
    seq: 1n,
    target: '',
    updates: victims.map((peerId) => ({
      peerId,
      incarnation: TOP,
      state: DEAD,
      announcement: new Uint8Array(0),
    })),
  })
}

function junkItem(recipient: string): SealedItem {
  return {
    id: rnd(16),
    recipient,
    sender: '',
    storedAt: 0n,
    nonce: rnd(24),
    ciphertext: rnd(300),
    copies: [{ deviceId: 'x', ephemeral: rnd(32), wrapped: rnd(72) }],
    deposit: new Uint8Array(0),
  }
}

/** What one send is: the bytes (fresh for each junk deposit) and the way they go. */
type Shot = (node: Libp2p, to: Multiaddr[]) => Promise<void>

interface Armed {
  node: Libp2p
  shot: Shot
  victims: Multiaddr[][]
  victimIds: string[]
  stop: () => Promise<void>
}

async function setUp(): Promise<Armed> {
  const toAddrs = (addrs: string[][]) => addrs.map((a) => a.map((x) => multiaddr(x)))
  if (config.kind === 'lookup') {
    const log = createLogger('attacker', { file: config.logFile, level: 'warn' })
    const device = await DeviceNode.start({
      profile: new Profile(config.home, config.profile ?? ''),
      host: '127.0.0.1',
      log,
    })
    const deadline = Date.now() + ATTACH_TIMEOUT_MS
    while (device.attachments.links.size === 0) {
      if (Date.now() > deadline)
        throw new Error(`${config.profile} did not attach in ${ATTACH_TIMEOUT_MS} ms`)
      await sleep(200)
    }
    const [victimId, link] = [...device.attachments.links.entries()][0]!
    const shot: Shot = async (node, to) => {
      const name = `user-${Math.floor(Math.random() * 1e6)}`
      const bytes = DirectoryRequest.encode({ kind: DirectoryKind.Lookup, username: name, records: [] })
      await request(node, to, Protocols.directory, bytes, {
        timeoutMs: Deadlines.directoryMs,
        maxResponseBytes: 1 << 20,
      })
    }
    return {
      node: device.node,
      shot,
      victims: [link.addrs],
      victimIds: [victimId],
      stop: () => device.stop(),
    }
  }
  const node = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
  const victims = toAddrs(config.victims)
  if (config.kind === 'membership') {
    const bytes = forgedPing(config.victimIds)
    const shot: Shot = (n, to) => send(n, to, Protocols.membership, bytes, Deadlines.membershipSendMs)
    return {
      node,
      shot,
      victims,
      victimIds: config.victimIds,
      stop: async () => {
        await node.stop()
      },
    }
  }
  // Built once and replayed: the refusals do not depend on fresh bytes, and building (16 signatures
  // a deposit) would measure the attacker's own crypto rather than what the attack costs it.
  const signer = signerOf(await generateKey())
  const deposits = Array.from({ length: JUNK_DEPOSITS }, (_, turn) => {
    const recipient = `user-${1 + (turn % 100)}`
    // Alternately unsigned, and signed by a throwaway key over other bytes with no certificate.
    const items = Array.from({ length: JUNK_ITEMS }, () => junkItem(recipient)).map((i) =>
      turn % 2 === 0 ? i : { ...i, deposit: plain(signDeposit(junkItem(recipient), rnd(64), signer)) },
    )
    const req = {
      kind: OfflineKind.Deposit,
      items,
      recipient: '',
      deviceId: '',
      ids: [],
      access: new Uint8Array(0),
    }
    return OfflineRequest.encode(req)
  })
  let turn = 0
  const shot: Shot = async (n, to) => {
    const bytes = deposits[turn++ % deposits.length]!
    await request(n, to, Protocols.offline, bytes, {
      timeoutMs: Deadlines.offlineMs,
      maxResponseBytes: 1 << 20,
    })
  }
  return {
    node,
    shot,
    victims,
    victimIds: config.victimIds,
    stop: async () => {
      await node.stop()
    },
  }
}

async function main(): Promise<void> {
  const { node, shot, victims, victimIds, stop } = await setUp()
  const sink = config.sink.map((x) => multiaddr(x))
  let aim: Aim = 'idle'
  const counts: AttackerReport = { sent: 0, failed: 0, skipped: 0 }
  let inFlight = 0
  const fire = (to: Multiaddr[]): void => {
    if (inFlight >= MAX_IN_FLIGHT) {
      counts.skipped++
      return
    }
    inFlight++
    counts.sent++
    shot(node, to)
      .catch(() => counts.failed++)
      .finally(() => inFlight--)
  }
  // One tick per target per period: the victims (or as many sends to the sink, so both phases send alike).
  const periodMs = 1000 / config.ratePerVictim
  let next = performance.now()
  const tick = (): void => {
    if (aim !== 'idle') for (const v of victims) fire(aim === 'victims' ? v : sink)
    next += periodMs
    setTimeout(tick, Math.max(0, next - performance.now()))
  }
  tick()
  process.on('message', (m: ToAttacker) => {
    if (m.type === 'aim') aim = m.aim
    if (m.type === 'count') {
      process.send?.({ type: 'count', ...counts })
      counts.sent = counts.failed = counts.skipped = 0
    }
    if (m.type === 'stop') void stop().finally(() => process.exit(0))
  })
  process.on('disconnect', () => void stop().finally(() => process.exit(0)))
  process.send?.({ type: 'ready', peerId: node.peerId.toString(), victimIds })
}

await main()
