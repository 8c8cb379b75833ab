/**
 * One-to-one delivery latency beside its floor. Samples alternate, so both
 * see the same machine: an echo on a fresh stream over the connection the
 * sender holds to the recipient's device (echo.ts, framed as rpc.ts frames
 * every push), then one chat message, from chat.send until the sender's
 * store marks it delivered (the recipient committed it and acknowledged).
 * One at a time, no overlap; optionally paced, and optionally with the
 * sender's requests patched to reuse the open connection (reuse.ts).
 */
import type { Connection } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { ChatKind, ChatPush } from '../../src/wire/chat.js'
import { echoOn, openConnection } from './echo.js'
import type { ChatPeer } from './peer.js'
import { SenderProbe, type ProbeFigures } from './probe.js'
import { reuseOpenConnections } from './reuse.js'
import type { Target } from './target.js'
import type { DeliveryWatch } from './watch.js'

const DELIVERY_TIMEOUT_MS = 10_000
const ECHO_TIMEOUT_MS = 5_000

export class WrongPathError extends Error {
  override name = 'WrongPathError'
}

export interface LatencyOptions {
  samples: number
  warmup: number
  /** Least time from one sample's start to the next's; 0 for back to back. */
  paceMs: number
  /** Patch the sender to push over the open connection (reuse.ts). */
  reuse: boolean
  signal: AbortSignal
}

export interface LatencyResult {
  target: Target
  paceMs: number
  reuse: boolean
  /** ms, in sample order. */
  chatMs: number[]
  /** ms inside chat.send (sign, verify, commit, queue) of each sample. */
  sendMs: number[]
  floorMs: number[]
  echoBytes: number
  /** Connections the sender opened to the recipient during the phase (0 when everything reused one). */
  connectionsOpened: number
  /** The connections to the recipient at the end, as remote addresses. */
  connections: string[]
  probe: ProbeFigures
  durationMs: number
}

export async function measureLatency(
  sender: ChatPeer,
  watch: DeliveryWatch,
  target: Target,
  opts: LatencyOptions,
): Promise<LatencyResult> {
  const node = sender.device.node
  const peer = peerIdFromString(target.deviceId)
  // The echo carries as many bytes as a push of one short message.
  const echo = ChatPush.encode({
    events: [new Uint8Array(sender.service.chat.live(ChatKind.TYPING, target.username))],
  })
  let connectionsOpened = 0
  const onOpen = (e: CustomEvent<Connection>): void => {
    if (e.detail.remotePeer.equals(peer)) connectionsOpened++
  }
  const probe = new SenderProbe(sender.service, sender.device)
  const chatMs: number[] = []
  const sendMs: number[] = []
  const floorMs: number[] = []
  let uninstall: (() => void) | undefined
  const unpatch = opts.reuse ? reuseOpenConnections(node) : () => undefined
  const start = performance.now()
  try {
    for (let i = 0; i < opts.warmup + opts.samples; i++) {
      opts.signal.throwIfAborted()
      if (i === opts.warmup) {
        node.addEventListener('connection:open', onOpen)
        uninstall = probe.install()
      }
      const sampleStart = performance.now()
      const conn = openConnection(node, peer)
      let t0 = performance.now()
      const answer = await echoOn(conn, echo, ECHO_TIMEOUT_MS)
      const floor = performance.now() - t0
      if (answer.byteLength !== echo.byteLength) throw new WrongPathError('the echo came back altered')
      t0 = performance.now()
      const m = sender.service.chat.send(target.username, `latency sample ${i}`)
      const sent = performance.now()
      sender.service.delivery.kick()
      const at = await watch.delivered(m.id, DELIVERY_TIMEOUT_MS)
      if (i >= opts.warmup) {
        floorMs.push(floor)
        chatMs.push(at - t0)
        sendMs.push(sent - t0)
      }
      const rest = opts.paceMs - (performance.now() - sampleStart)
      if (rest > 0) await sleep(rest, undefined, { signal: opts.signal })
    }
  } finally {
    unpatch()
    uninstall?.()
    node.removeEventListener('connection:open', onOpen)
  }
  const durationMs = performance.now() - start
  const connections = node.getConnections(peer).map((c) => c.remoteAddr.toString())
  checkPath(target, connections)
  return {
    target,
    paceMs: opts.paceMs,
    reuse: opts.reuse,
    chatMs,
    sendMs,
    floorMs,
    echoBytes: echo.byteLength,
    connectionsOpened,
    connections,
    probe: probe.result(),
    durationMs,
  }
}

/** A relayed figure must have gone through a relay, a direct one must not have. */
export function checkPath(target: Target, connections: string[]): void {
  const relayed = connections.filter((a) => a.includes('/p2p-circuit'))
  if (target.path === 'relayed' && relayed.length !== connections.length)
    throw new WrongPathError(
      `${target.username} should be reachable only through a relay, but the sender holds ${connections.join(', ')}`,
    )
  if (target.path === 'direct' && relayed.length === connections.length)
    throw new WrongPathError(
      `${target.username} should be reached directly, but the sender holds ${connections.join(', ') || 'nothing'}`,
    )
}
