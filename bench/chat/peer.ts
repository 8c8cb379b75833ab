/**
 * One chat device for the benchmark: a DeviceNode and a ChatService started
 * as `parley up` starts them, plus an echo protocol on the same libp2p host
 * (the floor: one request and one answer on a fresh stream, nothing else).
 * It accepts every contact request, so a sender needs no second hand.
 *
 * A relayed-only device stops accepting inbound connections once its relay
 * reservations are up: it closes its TCP listener and republishes, so its
 * presence record (and what identify tells others) holds only its relay
 * circuits. That is a NATed device as others see it: it dials out, nobody
 * dials in, every connection to it goes through a supernode's relay.
 */
import { ChatService } from '../../src/chat/service.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import type { Logger } from '../../src/log/logger.js'
import { serve } from '../../src/net/rpc.js'
import { waitFor } from '../directory/procs.js'

export const ECHO_PROTOCOL = '/parley-bench/echo/1.0.0'
/** Echo requests and answers are tiny; the cap only guards the bench. */
export const ECHO_MAX_BYTES = 64 * 1024
const READY_TIMEOUT_MS = 60_000

export interface ChatPeerOptions {
  home: string
  /** Profile name, also the username. */
  name: string
  log: Logger
  /** Accept no inbound connections: reachable only through relay circuits. */
  relayedOnly: boolean
  signal: AbortSignal
}

export interface ChatPeer {
  name: string
  device: DeviceNode
  service: ChatService
  stop: () => Promise<void>
}

export class PeerSetupError extends Error {
  override name = 'PeerSetupError'
}

export async function startChatPeer(opts: ChatPeerOptions): Promise<ChatPeer> {
  const profile = new Profile(opts.home, opts.name)
  const device = await DeviceNode.start({ profile, host: '127.0.0.1', log: opts.log, fastReattach: true })
  let service: ChatService | undefined
  const stop = async (): Promise<void> => {
    await service?.stop().catch(() => undefined)
    await device.stop()
  }
  try {
    service = await ChatService.start({ device, profile, log: opts.log, awayAfterMs: 0 })
    autoAccept(service)
    await serve(device.node, ECHO_PROTOCOL, (payload) => Promise.resolve(payload), {
      maxRequestBytes: ECHO_MAX_BYTES,
      timeoutMs: 5_000,
    })
    await waitFor(
      `${opts.name} attached with relay circuits`,
      () =>
        (device.attachments.links.size >= 2 && device.addrs().some((a) => a.includes('/p2p-circuit'))) ||
        undefined,
      { timeoutMs: READY_TIMEOUT_MS, everyMs: 100, signal: opts.signal },
    )
    if (opts.relayedOnly) await closeInbound(device)
    // Findable by others, with the addresses it has now.
    const published = await device.publish()
    if (published === 0) throw new PeerSetupError(`${opts.name} could not publish its presence`)
    return { name: opts.name, device, service, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Accepts whoever asks: the benchmark's recipients are contacts of the sender. */
function autoAccept(service: ChatService): void {
  service.events.on('notice', (n) => {
    if (n.type !== 'contact' || n.contact.state !== 'pending') return
    service.chat.accept(n.contact.username)
    service.delivery.kick()
  })
}

/**
 * Closes the device's TCP listeners. Its own connections (to its supernodes,
 * and the relay reservations on them) were dialled out and stay up.
 */
async function closeInbound(device: DeviceNode): Promise<void> {
  const tm = (
    device.node as unknown as {
      components: {
        transportManager: { getListeners(): Array<{ close(): Promise<void>; getAddrs(): unknown[] }> }
      }
    }
  ).components.transportManager
  const tcp = tm.getListeners().filter((l) => l.getAddrs().some((a) => !String(a).includes('/p2p-circuit')))
  await Promise.all(tcp.map((l) => l.close()))
  const direct = device.addrs().filter((a) => !a.includes('/p2p-circuit'))
  if (direct.length > 0)
    throw new PeerSetupError(
      `still announcing direct addresses after closing the listener: ${direct.join(' ')}`,
    )
}
