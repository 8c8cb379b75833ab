/**
 * The hostile peer of the chat attacks (issue 10, H1 and L1): a signed-in
 * account's device key in a bare libp2p host, not a Parley device. It signs
 * chat events with whatever fields it likes (Lamport time, sentAt, status)
 * and pushes them straight to the victim's device, through the relay circuit
 * the victim publishes (a stranger learns no other address of it, M6).
 */
import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ChatProtocols } from '../../src/chat/service.js'
import { signerOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import type { Devnet } from '../../src/devnet/devnet.js'
import { createDeviceHost } from '../../src/net/host.js'
import { request } from '../../src/net/rpc.js'
import { signChatEvent } from '../../src/trust/chat-event.js'
import { plain } from '../../src/wire/bytes.js'
import { ChatKind, ChatPush, decodeChatAck, type ChatAck } from '../../src/wire/chat.js'
import { PresenceStatus } from '../../src/wire/generated/parley.js'
import { lookup } from '../support/devnet.js'

export interface EventFields {
  kind?: ChatKind
  lamport?: number
  sentAt?: number
  text?: string
  status?: PresenceStatus
}

export interface HostileChatPeer {
  /** A signed event to the victim: TEXT at lamport 1, sent now, unless told otherwise. */
  event(f: EventFields): { id: Uint8Array; bytes: Uint8Array }
  push(events: Uint8Array[]): Promise<ChatAck>
  stop(): Promise<void>
}

/** `profileName`'s key, dialled straight to the first device of `victim` that `via`'s lookup finds. */
export async function hostileChatPeer(
  net: Devnet,
  profileName: string,
  victim: string,
  via: string,
): Promise<HostileChatPeer> {
  const profile = new Profile(net.home, profileName)
  const key = await profile.deviceKey()
  const host = await createDeviceHost({ privateKey: key, host: '127.0.0.1' })
  try {
    const device = (await lookup(net.home, via, victim)).body.devices[0]!
    await host.dial(
      device.addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${device.deviceId}`)),
    )
    return {
      event: (f) => {
        const id = new Uint8Array(randomBytes(16))
        const bytes = signChatEvent(
          {
            certificate: profile.certificate()!,
            id,
            kind: f.kind ?? ChatKind.TEXT,
            to: victim,
            lamport: f.lamport ?? 1,
            sentAt: f.sentAt ?? Date.now(),
            text: f.text ?? '',
            refs: [],
            status: f.status ?? PresenceStatus.OFFLINE,
          },
          signerOf(key),
        )
        return { id, bytes }
      },
      push: async (events) =>
        decodeChatAck(
          await request(
            host,
            peerIdFromString(device.deviceId),
            ChatProtocols.chat,
            ChatPush.encode({ events: events.map(plain) }),
            { timeoutMs: 5000, maxResponseBytes: 64 * 1024 },
          ),
        ),
      stop: async () => {
        await host.stop()
      },
    }
  } catch (err) {
    await host.stop()
    throw err
  }
}
