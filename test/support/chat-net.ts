/**
 * The devnet of the chat tests (test/chat.test.ts): one mega-supernode and
 * five supernodes with alice, bob and carol signed in and up, their device
 * processes started and stopped by profile, a contact's state as a device
 * sees it, and a bare libp2p host that pushes raw bytes to another user's
 * device on the chat protocol.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ChatProtocols } from '../../src/chat/service.js'
import { signerOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { createDeviceHost } from '../../src/net/host.js'
import { request } from '../../src/net/rpc.js'
import { signChatEvent } from '../../src/trust/chat-event.js'
import { ChatKind } from '../../src/wire/chat.js'
import { api, signIn, up } from './chat.js'
import { eventually, lookup } from './devnet.js'
import { tempDir, type Daemon } from './process.js'

/** The running devnet: set by useChatNet's beforeAll (importers see it through the live binding). */
export let net: Devnet
const running = new Map<string, Daemon>()

/**
 * Starts the devnet before the calling file's tests, with alice, bob and carol
 * signed in and up and never turning away, and stops everything after them.
 */
export function useChatNet(): void {
  const dir = tempDir('parley-chat-')

  beforeAll(async () => {
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 5, fastReattach: true })
    for (const user of ['alice', 'bob', 'carol']) await signIn(net, user, user)
    for (const p of ['alice', 'bob', 'carol']) await start(p, ['--away-after', '0'])
  }, 180_000)

  afterAll(async () => {
    for (const p of [...running.keys()]) await stop(p, 'SIGKILL')
    for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
    await net?.stop()
    // PARLEY_KEEP=1 keeps the devnet's folder (profiles, logs) to look into a failure.
    if (process.env.PARLEY_KEEP === undefined) dir.remove()
    else console.log(`kept ${dir.path}`)
  })
}

/** `parley up` for a profile, kept running until stop or the end of the file's tests. */
export async function start(profile: string, extra: string[] = []): Promise<void> {
  running.set(profile, await up(net, profile, extra))
  // Attached and published: its own user finds it.
  await eventually(async () => {
    const s = await api<{ attachments: unknown[] }>(net.home, profile, '/v1/status')
    return s.attachments.length >= 2 || undefined
  }, 30_000)
}

export async function stop(profile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await running.get(profile)?.stop(signal)
  running.delete(profile)
}

/** `peer` in `profile`'s contact list, or undefined when not there. */
export const contactState = async (profile: string, peer: string) =>
  (
    await api<{ contacts: { username: string; state: string; presence: string }[] }>(
      net.home,
      profile,
      '/v1/chat/contacts',
    )
  ).contacts.find((c) => c.username === peer)

export interface RawChatPeer {
  /** One request on the chat protocol: the raw bytes of a push, the raw bytes of the answer. */
  push: (payload: Uint8Array) => Promise<Uint8Array>
  /** A text event signed by the profile's device under its certificate. */
  event: (to: string, text: string) => Uint8Array
  stop: () => Promise<void>
}

/**
 * A signed-in profile's device key in a bare libp2p host, not a Parley device,
 * dialled to the first device that `via`'s lookup finds for `username`,
 * through the relay circuit it publishes (all a lookup tells, M6).
 */
export async function rawChatPeer(profileName: string, via: string, username: string): Promise<RawChatPeer> {
  const profile = new Profile(net.home, profileName)
  const key = await profile.deviceKey()
  const host = await createDeviceHost({ privateKey: key, host: '127.0.0.1' })
  try {
    const device = (await lookup(net.home, via, username)).body.devices[0]!
    await host.dial(
      device.addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${device.deviceId}`)),
    )
    const peer = peerIdFromString(device.deviceId)
    const signer = signerOf(key)
    return {
      push: (payload) =>
        request(host, peer, ChatProtocols.chat, payload, { timeoutMs: 5000, maxResponseBytes: 64 * 1024 }),
      event: (to, text) =>
        signChatEvent(
          {
            certificate: profile.certificate()!,
            id: new Uint8Array(randomBytes(16)),
            kind: ChatKind.TEXT,
            to,
            lamport: 1,
            sentAt: Date.now(),
            text,
            refs: [],
          },
          signer,
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

/** The notices a device's own clients get (`/v1/chat/events`), collected until stop(). */
export function ownEvents(profile: string): { stop: () => Promise<Record<string, unknown>[]> } {
  const { url, token } = JSON.parse(
    readFileSync(join(net.home, 'profiles', profile, 'api.json'), 'utf8'),
  ) as { url: string; token: string }
  const abort = new AbortController()
  const notices: Record<string, unknown>[] = []
  const reading = (async () => {
    const res = await fetch(`${url}/v1/chat/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    })
    let buffered = ''
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffered += Buffer.from(chunk).toString()
      let end: number
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buffered.slice(0, end))?.[1]
        buffered = buffered.slice(end + 2)
        if (data !== undefined) notices.push(JSON.parse(data) as Record<string, unknown>)
      }
    }
  })().catch(() => undefined)
  return {
    stop: async () => {
      abort.abort()
      await reading
      return notices
    },
  }
}
