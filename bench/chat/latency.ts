/**
 * One-to-one delivery latency beside its floors. Each sample is three
 * exchanges with the recipient's device, one after the other, so all see the
 * same machine: an echo on a fresh stream over the connection the sender
 * holds (echo.ts: the floor), the same echo through rpc.ts `request`
 * (which since 133e53c reuses an idle stream: one round trip, what a push is
 * made of now), then one chat message, from chat.send until the sender's
 * store marks it delivered (the recipient committed it and acknowledged).
 */
import type { Connection } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import { request } from '../../src/net/rpc.js'
import { ChatKind, ChatPush } from '../../src/wire/chat.js'
import { echoOn, openConnection } from './echo.js'
import { ECHO_MAX_BYTES, ECHO_PROTOCOL, type ChatPeer } from './peer.js'
import { SenderProbe, type ProbeFigures } from './probe.js'
import type { Target } from './target.js'
import type { DeliveryWatch } from './watch.js'

export const DELIVERY_TIMEOUT_MS = 10_000
const ECHO_TIMEOUT_MS = 5_000

export class WrongPathError extends Error {
  override name = 'WrongPathError'
}

export interface LatencyResult {
  target: Target
  /** ms, in sample order. */
  chatMs: number[]
  /** ms inside chat.send (sign, verify, commit, queue) of each sample. */
  sendMs: number[]
  /** Echo on a fresh stream. */
  streamMs: number[]
  /** Echo through rpc.ts request. */
  rpcMs: number[]
  echoBytes: number
  /** Connections the sender opened to the recipient during the phase (0 when everything reused one). */
  connectionsOpened: number
  /** The connections to the recipient at the end, as remote addresses. */
  connections: string[]
  probe: ProbeFigures
  durationMs: number
}

/** Counts the connections a node opens to one peer until stopped. */
export function countConnections(node: ChatPeer['device']['node'], deviceId: string): () => number {
  const peer = peerIdFromString(deviceId)
  let opened = 0
  const onOpen = (e: CustomEvent<Connection>): void => {
    if (e.detail.remotePeer.equals(peer)) opened++
  }
  node.addEventListener('connection:open', onOpen)
  return () => {
    node.removeEventListener('connection:open', onOpen)
    return opened
  }
}

export async function measureLatency(
  sender: ChatPeer,
  watch: DeliveryWatch,
  target: Target,
  opts: { samples: number; warmup: number; signal: AbortSignal },
): Promise<LatencyResult> {
  const node = sender.device.node
  const peer = peerIdFromString(target.deviceId)
  // The echo carries as many bytes as a push of one short message.
  const echo = ChatPush.encode({
    events: [new Uint8Array(sender.service.chat.live(ChatKind.TYPING, target.username))],
  })
  const probe = new SenderProbe(sender.service, sender.device)
  const chatMs: number[] = []
  const sendMs: number[] = []
  const streamMs: number[] = []
  const rpcMs: number[] = []
  let stopCounting: (() => number) | undefined
  let uninstall: (() => void) | undefined
  const start = performance.now()
  try {
    for (let i = 0; i < opts.warmup + opts.samples; i++) {
      opts.signal.throwIfAborted()
      if (i === opts.warmup) {
        stopCounting = countConnections(node, target.deviceId)
        uninstall = probe.install()
      }
      const conn = openConnection(node, peer)
      let t0 = performance.now()
      const fresh = await echoOn(conn, echo, ECHO_TIMEOUT_MS)
      const stream = performance.now() - t0
      t0 = performance.now()
      const pooled = await request(node, peer, ECHO_PROTOCOL, echo, {
        timeoutMs: ECHO_TIMEOUT_MS,
        maxResponseBytes: ECHO_MAX_BYTES,
        signal: opts.signal,
      })
      const rpc = performance.now() - t0
      if (fresh.byteLength !== echo.byteLength || pooled.byteLength !== echo.byteLength)
        throw new WrongPathError('an echo came back altered')
      t0 = performance.now()
      const m = sender.service.chat.send(target.username, `latency sample ${i}`)
      const sent = performance.now()
      sender.service.delivery.kick()
      const at = await watch.delivered(m.id, DELIVERY_TIMEOUT_MS)
      if (i >= opts.warmup) {
        streamMs.push(stream)
        rpcMs.push(rpc)
        chatMs.push(at - t0)
        sendMs.push(sent - t0)
      }
    }
  } finally {
    uninstall?.()
  }
  const connectionsOpened = stopCounting?.() ?? 0
  const durationMs = performance.now() - start
  const connections = node.getConnections(peer).map((c) => c.remoteAddr.toString())
  checkPath(target, connections)
  return {
    target,
    chatMs,
    sendMs,
    streamMs,
    rpcMs,
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
