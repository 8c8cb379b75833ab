/**
 * Issue 10, H1 on real processes: a stranger pushes one signed TEXT with
 * lamport = 2^53−1 to the victim's device. Before the fix it was committed,
 * the clock kept it in chat.sqlite, and every later `parley add` or `accept`
 * of the victim ended in "unexpected failure: Unexpected end of JSON input",
 * also after a restart. Here the push is refused with a stable code and logged
 * once, and the victim adds, accepts and sends as before, also after a
 * restart; a store an older version poisoned is repaired at start.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatProtocols } from '../../src/chat/service.js'
import { signerOf } from '../../src/crypto/keys.js'
import { Profile } from '../../src/device/profile.js'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { createDeviceHost } from '../../src/net/host.js'
import { request } from '../../src/net/rpc.js'
import { signChatEvent } from '../../src/trust/chat-event.js'
import { plain } from '../../src/wire/bytes.js'
import { ChatKind, ChatPush, decodeChatAck, type ChatAck } from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { api, conversation, signIn, up } from '../support/chat.js'
import { eventually, lookup } from '../support/devnet.js'
import { run, tempDir, type Daemon } from '../support/process.js'

const POISON = Number.MAX_SAFE_INTEGER
const dir = tempDir('parley-lamport-')
let net: Devnet
const devices = new Map<string, Daemon>()

async function start(profile: string): Promise<Daemon> {
  const d = await up(net, profile, ['--away-after', '0'])
  devices.set(profile, d)
  await eventually(async () => {
    const s = await api<{ attachments: unknown[] }>(net.home, profile, '/v1/status')
    return s.attachments.length >= 2 || undefined
  }, 30_000)
  return d
}

async function restart(profile: string): Promise<Daemon> {
  await devices.get(profile)?.stop()
  return start(profile)
}

/** `parley <args>` for a profile, as the user types it. */
const parley = (profile: string, ...args: string[]) =>
  run([...args, '--profile', profile], { env: { PARLEY_HOME: net.home } })

/** Lines of a profile's device log (node.log, across restarts) that name `text`. */
const logLines = (profile: string, text: string) =>
  readFileSync(join(net.home, 'profiles', profile, 'node.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(text))

/**
 * The attacker: a signed-in stranger's device key in a bare libp2p host (not a
 * Parley device), which signs chat events with whatever Lamport time it likes
 * and pushes them straight to the victim's device.
 */
async function hostileSender(profileName: string, victim: string, via: string) {
  const profile = new Profile(net.home, profileName)
  const key = await profile.deviceKey()
  const host = await createDeviceHost({ privateKey: key, host: '127.0.0.1' })
  const device = (await lookup(net.home, via, victim)).body.devices[0]!
  const direct = device.addrs.filter((a) => !a.includes('/p2p-circuit'))
  await host.dial(direct.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${device.deviceId}`)))
  const event = (lamport: number, text: string) => {
    const id = new Uint8Array(randomBytes(16))
    const bytes = signChatEvent(
      {
        certificate: profile.certificate()!,
        id,
        kind: ChatKind.TEXT,
        to: victim,
        lamport,
        sentAt: Date.now(),
        text,
        refs: [],
      },
      signerOf(key),
    )
    return { id, bytes }
  }
  const push = async (events: Uint8Array[]): Promise<ChatAck> =>
    decodeChatAck(
      await request(
        host,
        peerIdFromString(device.deviceId),
        ChatProtocols.chat,
        ChatPush.encode({ events: events.map(plain) }),
        { timeoutMs: 5000, maxResponseBytes: 64 * 1024 },
      ),
    )
  return { event, push, stop: () => host.stop() }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

async function arrives(profile: string, peer: string, text: string): Promise<void> {
  await eventually(
    async () => (await conversation(net.home, profile, peer)).some((m) => m.text === text) || undefined,
    30_000,
  )
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true, turn: false })
  for (const user of ['alice', 'bob', 'carol', 'mallory']) await signIn(net, user, user)
  await start('alice')
  await start('bob')
}, 180_000)

afterAll(async () => {
  for (const d of devices.values()) await d.stop('SIGKILL')
  await net?.stop()
  if (process.env.PARLEY_KEEP === undefined) dir.remove()
  else console.log(`kept ${dir.path}`)
})

describe('a poisoned Lamport time from a stranger (H1)', () => {
  it('is refused with a stable code, logged once, and the victim still adds, accepts and sends', async () => {
    const mallory = await hostileSender('mallory', 'alice', 'bob')
    const poison = mallory.event(POISON, 'hi, add me')
    const acks: ChatAck[] = []
    try {
      acks.push(await mallory.push([poison.bytes]))
      // The same attacker again, twice (what a flood looks like): still one log line.
      for (let i = 1; i <= 2; i++) acks.push(await mallory.push([mallory.event(POISON - i, 'again').bytes]))
    } finally {
      await mallory.stop()
    }

    // What the user notices: nothing. A contact asks, the victim accepts, adds and sends.
    const bobAsks = await parley('bob', 'add', 'alice', 'hello alice')
    expect(bobAsks.stderr).toBe('')
    await eventually(async () => {
      const r = await api<{ requests: { username: string }[] }>(net.home, 'alice', '/v1/chat/requests')
      return r.requests.some((x) => x.username === 'bob') || undefined
    }, 30_000)
    const accept = await parley('alice', 'accept', 'bob')
    expect(accept.stderr).toBe('')
    expect(accept.code).toBe(0)
    const add = await parley('alice', 'add', 'carol', 'hi carol')
    expect(add.stderr).toBe('')
    expect(add.stdout).toContain('contact request sent to carol')
    const sent = await parley('alice', 'send', 'bob', 'still', 'talking')
    expect(sent.stderr).toBe('')
    await arrives('bob', 'alice', 'still talking')
    expect((await parley('bob', 'send', 'alice', 'heard you')).code).toBe(0)
    await arrives('alice', 'bob', 'heard you')
    // The stranger is not even a request.
    const requests = await api<{ requests: { username: string }[] }>(net.home, 'alice', '/v1/chat/requests')
    expect(requests.requests.map((r) => r.username)).not.toContain('mallory')

    // The attacker was told why, with a stable code, and that it is refused for good (an
    // honest sender would not retry it); the victim's log names it once.
    expect(acks.map((a) => a.code)).toEqual(Array(3).fill(ErrorCode.LamportTooFar))
    expect(acks.map((a) => a.committed.length)).toEqual([0, 0, 0])
    expect(acks[0]!.refused.map(hex)).toEqual([hex(poison.id)])
    expect(acks.map((a) => a.refused.length)).toEqual([1, 1, 1])
    await eventually(
      () => Promise.resolve(logLines('alice', ErrorCode.LamportTooFar).length > 0 || undefined),
      10_000,
    )
    expect(logLines('alice', ErrorCode.LamportTooFar)).toHaveLength(1)
  })

  it('the victim still sends after a restart, and the messages arrive', async () => {
    await restart('alice')
    const sent = await parley('alice', 'send', 'bob', 'after', 'the', 'restart')
    expect(sent.stderr).toBe('')
    await arrives('bob', 'alice', 'after the restart')
  })
})

describe('a store poisoned by an older version (H1)', () => {
  it('is repaired at start with one log line, and its messages are accepted again', async () => {
    await devices.get('alice')!.stop()
    const db = new Database(join(net.home, 'profiles', 'alice', 'chat.sqlite'))
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('lamport', ?)").run(String(POISON))
    db.close()
    await start('alice')
    await eventually(
      () => Promise.resolve(logLines('alice', 'chat clock was poisoned').length > 0 || undefined),
      10_000,
    )
    expect(logLines('alice', 'chat clock was poisoned')).toHaveLength(1)
    const sent = await parley('alice', 'send', 'bob', 'repaired', 'clock')
    expect(sent.stderr).toBe('')
    // Bob refuses any Lamport time past his ceiling: the message arriving proves the repair.
    await arrives('bob', 'alice', 'repaired clock')
  })
})
