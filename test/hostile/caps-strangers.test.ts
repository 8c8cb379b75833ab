/**
 * L2 on real processes: strangers flood a device with held messages and
 * contact requests. Bob's `parley up` runs with the caps made small for the
 * test (`--held-per-stranger 5 --max-strangers 2`; the defaults are 50 and
 * 500). Mallory pushes messages straight to bob's device from her own key:
 * five are held, the rest are named refused in the ack with `stranger_limit`
 * (so her device stops retrying). A second stranger's request is held; a
 * third is refused. Bob's log names each refused stranger once. Alice, bob's
 * contact, still gets through; bob's requests list holds only what the caps
 * allow; no process exited.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import type { ChatAck } from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { api, conversation, signIn, up } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { run, tempDir, type Daemon } from '../support/process.js'
import { hostileChatPeer, type HostileChatPeer } from './chat-peer.js'

const dir = tempDir('parley-caps-strangers-')
let net: Devnet
const daemons = new Map<string, Daemon>()
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const parley = (profile: string, ...args: string[]) =>
  run([...args, '--profile', profile], { env: { PARLEY_HOME: net.home } })

async function start(profile: string, extra: string[] = []): Promise<void> {
  daemons.set(profile, await up(net, profile, ['--away-after', '0', ...extra]))
  await eventually(async () => {
    const s = await api<{ attachments: unknown[] }>(net.home, profile, '/v1/status')
    return s.attachments.length >= 2 || undefined
  }, 30_000)
}

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true, turn: false })
  for (const user of ['alice', 'bob', 'mallory', 'sybil', 'trudy']) await signIn(net, user, user)
  await start('alice')
  await start('bob', ['--held-per-stranger', '5', '--max-strangers', '2'])
}, 180_000)

afterAll(async () => {
  for (const d of daemons.values()) await d.stop('SIGKILL')
  await net?.stop()
  dir.remove()
})

describe('strangers flooding a device (L2)', () => {
  it('held messages and requests past the caps are refused stranger_limit in the ack, logged once; contacts still arrive', async () => {
    // Alice and bob are contacts.
    expect((await parley('alice', 'add', 'bob', 'hi bob')).stderr).toBe('')
    await eventually(async () => {
      const r = await api<{ requests: { username: string }[] }>(net.home, 'bob', '/v1/chat/requests')
      return r.requests.some((x) => x.username === 'alice') || undefined
    }, 30_000)
    expect((await parley('bob', 'accept', 'alice')).code).toBe(0)

    const peers: HostileChatPeer[] = []
    const acks: Record<string, ChatAck[]> = { mallory: [], sybil: [], trudy: [] }
    try {
      const mallory = await hostileChatPeer(net, 'mallory', 'bob', 'alice')
      peers.push(mallory)
      const flood = Array.from({ length: 8 }, (_, i) => mallory.event({ text: `spam ${i}` }))
      acks.mallory!.push(await mallory.push(flood.map((e) => e.bytes)))
      acks.mallory!.push(await mallory.push([mallory.event({ text: 'more spam' }).bytes]))
      for (const name of ['sybil', 'trudy']) {
        const p = await hostileChatPeer(net, name, 'bob', 'alice')
        peers.push(p)
        acks[name]!.push(await p.push([p.event({ text: `hello from ${name}` }).bytes]))
      }
      const [first, second] = acks.mallory! as [ChatAck, ChatAck]
      expect([first.committed.length, first.refused.length, first.code]).toEqual([
        5,
        3,
        ErrorCode.StrangerLimit,
      ])
      expect(first.refused.map(hex)).toEqual(flood.slice(5).map((e) => hex(e.id)))
      expect([second.committed.length, second.refused.length, second.code]).toEqual([
        0,
        1,
        ErrorCode.StrangerLimit,
      ])
      expect([acks.sybil![0]!.committed.length, acks.sybil![0]!.code]).toEqual([1, ''])
      expect([acks.trudy![0]!.refused.length, acks.trudy![0]!.code]).toEqual([1, ErrorCode.StrangerLimit])
    } finally {
      for (const p of peers) await p.stop()
    }

    // The honest contact still gets through, both ways.
    expect((await parley('alice', 'send', 'bob', 'still', 'here')).stderr).toBe('')
    await eventually(
      async () =>
        (await conversation(net.home, 'bob', 'alice')).some((m) => m.text === 'still here') || undefined,
      30_000,
    )
    // What bob sees: two requests, mallory's five held messages, nothing of trudy's.
    const r = await api<{ requests: { username: string }[] }>(net.home, 'bob', '/v1/chat/requests')
    expect(r.requests.map((x) => x.username).sort()).toEqual(['mallory', 'sybil'])
    // One log line per refused stranger, however many events were refused.
    const lines = readFileSync(join(net.home, 'profiles', 'bob', 'node.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(ErrorCode.StrangerLimit))
    expect(lines).toHaveLength(2)
    expect(lines.some((l) => l.includes('mallory')) && lines.some((l) => l.includes('trudy'))).toBe(true)
    for (const [name, d] of daemons)
      expect([name, d.child.exitCode, d.child.signalCode]).toEqual([name, null, null])
    for (const s of net.supernodes) expect([s.name, s.child.process.exitCode]).toEqual([s.name, null])
  }, 180_000)
})
