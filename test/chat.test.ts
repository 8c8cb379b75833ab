/**
 * Chat between real device processes on a devnet: contacts, presence,
 * receipts, offline delivery through the supernodes' offline store (with two
 * of its three holders SIGKILLed), a receiver SIGKILLed mid-stream, a third
 * device with backfilled history, bad input on the wire, and the command line.
 * The devnet and its helpers are in test/support/chat-net.ts.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../src/crypto/envelope.js'
import { generateKey, signerOf } from '../src/crypto/keys.js'
import { plain } from '../src/wire/bytes.js'
import { ChatPush, decodeChatAck } from '../src/wire/chat.js'
import { api, ApiError, conversation, replicasOf, send, signIn } from './support/chat.js'
import { contactState, net, ownEvents, rawChatPeer, start, stop, useChatNet } from './support/chat-net.js'
import { eventually } from './support/devnet.js'
import { PARLEY, run } from './support/process.js'

useChatNet()

describe('two users', () => {
  it('become contacts: request with a greeting, accept', async () => {
    await api(net.home, 'alice', '/v1/chat/contacts/bob', { greeting: 'hi bob, alice here' })
    const req = await eventually(async () => {
      const r = await api<{ requests: { username: string; greeting: string }[] }>(
        net.home,
        'bob',
        '/v1/chat/requests',
      )
      return r.requests.find((x) => x.username === 'alice')
    }, 20_000)
    expect(req.greeting).toBe('hi bob, alice here')
    await api(net.home, 'bob', '/v1/chat/contacts/alice/accept', {})
    await eventually(
      async () => (await contactState('alice', 'bob'))?.state === 'accepted' || undefined,
      20_000,
    )
  })

  it('chat both ways with delivered and read receipts', async () => {
    const { message } = await send(net.home, 'alice', 'bob', 'hello bob')
    await send(net.home, 'bob', 'alice', 'hello alice')
    const atBob = await eventually(
      async () => (await conversation(net.home, 'bob', 'alice')).find((m) => m.id === message.id),
      20_000,
    )
    expect(atBob.text).toBe('hello bob')
    await eventually(
      async () =>
        (await conversation(net.home, 'alice', 'bob')).some((m) => m.text === 'hello alice') || undefined,
      20_000,
    )
    await eventually(
      async () =>
        (await conversation(net.home, 'alice', 'bob')).find(
          (m) => m.id === message.id && m.state === 'delivered',
        ),
      20_000,
    )
    await api(net.home, 'bob', '/v1/chat/read/alice', {})
    await eventually(
      async () =>
        (await conversation(net.home, 'alice', 'bob')).find((m) => m.id === message.id && m.state === 'read'),
      20_000,
    )
    // Both sides show the same conversation in the same order.
    const a = (await conversation(net.home, 'alice', 'bob')).map((m) => m.id)
    const b = (await conversation(net.home, 'bob', 'alice')).map((m) => m.id)
    expect(b).toEqual(a)
  })

  it('presence changes are pushed to the contact', async () => {
    await api(net.home, 'alice', '/v1/chat/status', { status: 'dnd' })
    await eventually(
      async () => (await contactState('bob', 'alice'))?.presence === 'dnd' || undefined,
      10_000,
    )
    await api(net.home, 'alice', '/v1/chat/status', { status: 'invisible' })
    await eventually(
      async () => (await contactState('bob', 'alice'))?.presence === 'offline' || undefined,
      10_000,
    )
    await api(net.home, 'alice', '/v1/chat/status', { status: 'online' })
    await eventually(
      async () => (await contactState('bob', 'alice'))?.presence === 'online' || undefined,
      10_000,
    )
  })

  it('an idle user turns away on its own, and back online at the next action', async () => {
    await signIn(net, 'dave', 'dave')
    await start('dave', ['--away-after', '2'])
    // dave's own clients (the web client, parley chat) hear his status change too.
    const heard = ownEvents('dave')
    await api(net.home, 'alice', '/v1/chat/contacts/dave', { greeting: 'hi dave' })
    await eventually(async () => {
      const r = await api<{ requests: { username: string }[] }>(net.home, 'dave', '/v1/chat/requests')
      return r.requests.some((x) => x.username === 'alice') || undefined
    }, 20_000)
    await api(net.home, 'dave', '/v1/chat/contacts/alice/accept', {})
    await eventually(
      async () => (await contactState('alice', 'dave'))?.presence === 'away' || undefined,
      20_000,
    )
    expect((await api<{ status: string }>(net.home, 'dave', '/v1/chat/status')).status).toBe('away')
    await send(net.home, 'dave', 'alice', 'back at my desk')
    await eventually(
      async () => (await contactState('alice', 'dave'))?.presence === 'online' || undefined,
      20_000,
    )
    const mine = (await heard.stop()).filter((n) => n.type === 'presence' && n.username === 'dave')
    // At 2 s of idling on a wall clock dave may turn away more than once (before he accepts, too); each
    // change is heard once, in order. The exact ['away', 'online'] is src/chat/own-status.test.ts's, in virtual time.
    const statuses = mine.map((n) => n.status)
    const away = statuses.indexOf('away')
    expect(away, statuses.join()).toBeGreaterThanOrEqual(0)
    expect(statuses.indexOf('online', away), statuses.join()).toBeGreaterThan(away)
    expect(
      statuses.every((x, i) => i === 0 || x !== statuses[i - 1]),
      statuses.join(),
    ).toBe(true)
  })

  it('a non-contact can neither message nor see presence', async () => {
    const err = await send(net.home, 'carol', 'bob', 'hi').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe('not_contact')
    expect(await contactState('carol', 'bob')).toBeUndefined()
  })
})

describe('offline delivery', () => {
  it('100 messages to an offline user arrive once, in order, when they come back', async () => {
    await stop('bob')
    const sent: string[] = []
    for (let i = 1; i <= 100; i++)
      sent.push((await send(net.home, 'alice', 'bob', `offline ${i}`)).message.id)
    // Held by the offline store: "sent".
    await eventually(async () => {
      const mine = (await conversation(net.home, 'alice', 'bob')).filter((m) => sent.includes(m.id))
      return mine.every((m) => m.state === 'sent') || undefined
    }, 60_000)
    // The supernodes hold the items now, and never the text: read their files as they are on disk.
    const files = net.supernodes.flatMap((sn) =>
      ['offline.sqlite', 'offline.sqlite-wal'].flatMap((f) => {
        try {
          return [readFileSync(join(net.home, 'profiles', sn.name, f))]
        } catch {
          return []
        }
      }),
    )
    expect(files.some((b) => b.includes(Buffer.from('bob')))).toBe(true)
    for (const b of files) expect(b.includes(Buffer.from('offline 42'))).toBe(false)
    await start('bob', ['--away-after', '0'])
    const got = await eventually(async () => {
      const c = (await conversation(net.home, 'bob', 'alice')).filter((m) => m.text.startsWith('offline '))
      return c.length >= 100 ? c : undefined
    }, 60_000)
    expect(got.map((m) => m.id)).toEqual(sent)
    // Bob's device told alice's: delivered.
    await eventually(async () => {
      const mine = (await conversation(net.home, 'alice', 'bob')).filter((m) => sent.includes(m.id))
      return mine.every((m) => m.state === 'delivered') || undefined
    }, 30_000)
  })

  it('loses nothing when two of the three supernodes holding the messages are SIGKILLed', async () => {
    await stop('bob')
    const sent: string[] = []
    for (let i = 1; i <= 20; i++)
      sent.push((await send(net.home, 'alice', 'bob', `survivor ${i}`)).message.id)
    await eventually(async () => {
      const mine = (await conversation(net.home, 'alice', 'bob')).filter((m) => sent.includes(m.id))
      return mine.every((m) => m.state === 'sent') || undefined
    }, 60_000)
    // Two of the three holders; the mega-supernode (the config's only seed, how new devices
    // join) is spared when it is one of them, so the third device below can still join.
    const holders = await replicasOf(net, 'bob')
    const mega = net.supernodes.find((s) => s.name.startsWith('mega-'))?.peerId
    const chosen = [...holders.filter((h) => h !== mega), ...holders.filter((h) => h === mega)].slice(0, 2)
    const victims = net.supernodes.filter((s) => chosen.includes(s.peerId))
    expect(victims).toHaveLength(2)
    for (const v of victims) v.child.process.kill('SIGKILL')
    await start('bob', ['--away-after', '0'])
    const got = await eventually(async () => {
      const c = (await conversation(net.home, 'bob', 'alice')).filter((m) => m.text.startsWith('survivor '))
      return c.length >= 20 ? c : undefined
    }, 90_000)
    expect(got.map((m) => m.id)).toEqual(sent)
    // The test's own limit covers its waits (60 s + 90 s): a slow run fails at the wait that names what is missing.
  }, 180_000)
})

describe('a receiver SIGKILLed in the middle of 1,000 messages', () => {
  it('keeps every message the sender saw delivered, none twice', async () => {
    const sent: string[] = []
    let killed = false
    for (let i = 1; i <= 1000; i++) {
      sent.push((await send(net.home, 'alice', 'bob', `burst ${i}`)).message.id)
      if (i === 300) {
        await stop('bob', 'SIGKILL')
        killed = true
      }
    }
    expect(killed).toBe(true)
    const deliveredBefore = (await conversation(net.home, 'alice', 'bob'))
      .filter((m) => sent.includes(m.id) && (m.state === 'delivered' || m.state === 'read'))
      .map((m) => m.id)
    expect(deliveredBefore.length).toBeGreaterThan(0)
    await start('bob', ['--away-after', '0'])
    const got = await eventually(async () => {
      const c = (await conversation(net.home, 'bob', 'alice')).filter((m) => m.text.startsWith('burst '))
      return c.length >= 1000 ? c : undefined
    }, 120_000)
    const ids = got.map((m) => m.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of deliveredBefore) expect(ids).toContain(id)
    expect(ids).toEqual(sent)
    // 1,000 sends, then a 120 s wait: the test's own limit covers both.
  }, 240_000)
})

describe('several devices per user', () => {
  it('a third device gets backfilled history, then live messages', async () => {
    await signIn(net, 'alice-tablet', 'alice')
    await start('alice-tablet', ['--away-after', '0'])
    const history = await eventually(async () => {
      const c = await conversation(net.home, 'alice-tablet', 'bob')
      return c.length >= 1100 ? c : undefined
    }, 60_000)
    expect(history.some((m) => m.text === 'hello bob')).toBe(true)
    expect((await contactState('alice-tablet', 'bob'))?.state).toBe('accepted')
    const { message } = await send(net.home, 'bob', 'alice', 'to all your devices')
    for (const p of ['alice', 'alice-tablet'])
      await eventually(
        async () => (await conversation(net.home, p, 'bob')).find((m) => m.id === message.id),
        20_000,
      )
    // What the tablet sends reaches bob and alice's other device.
    const fromTablet = (await send(net.home, 'alice-tablet', 'bob', 'sent from the tablet')).message
    for (const [p, peer] of [
      ['bob', 'alice'],
      ['alice', 'bob'],
    ] as const)
      await eventually(
        async () => (await conversation(net.home, p, peer)).find((m) => m.id === fromTablet.id),
        20_000,
      )
  })

  it('history is searchable and survives a restart', async () => {
    await stop('bob')
    await start('bob', ['--away-after', '0'])
    const r = await api<{ messages: { text: string }[] }>(net.home, 'bob', '/v1/chat/search?q=tablet')
    expect(r.messages.map((m) => m.text)).toContain('sent from the tablet')
  })
})

describe('the sender restarts', () => {
  it('what it had not delivered is retried after a SIGKILL and restart', async () => {
    // erin has an account but no device has ever been online: nobody can deliver to her yet.
    await signIn(net, 'erin', 'erin')
    await api(net.home, 'alice', '/v1/chat/contacts/erin', { greeting: 'hello erin' })
    const pending = await api<{ pending: number }>(net.home, 'alice', '/v1/chat/outbox')
    expect(pending.pending).toBeGreaterThan(0)
    await stop('alice', 'SIGKILL')
    await start('alice', ['--away-after', '0'])
    await start('erin', ['--away-after', '0'])
    const req = await eventually(async () => {
      const r = await api<{ requests: { username: string; greeting: string }[] }>(
        net.home,
        'erin',
        '/v1/chat/requests',
      )
      return r.requests.find((x) => x.username === 'alice')
    }, 60_000)
    expect(req.greeting).toBe('hello erin')
  }, 180_000)
})

describe('bad input on the wire', () => {
  it('malformed, oversized, unsigned, misaddressed and replayed pushes are refused and change nothing', async () => {
    await signIn(net, 'mallory', 'mallory')
    const mallory = await rawChatPeer('mallory', 'alice', 'bob')
    try {
      const { push, event } = mallory
      const garbage = new Uint8Array(200).map((_, i) => (i * 37) & 0xff)
      await expect(push(garbage)).rejects.toThrow()
      await expect(push(new Uint8Array(3 * 1024 * 1024))).rejects.toThrow()
      const unsigned = seal(PayloadType.ChatEvent, new Uint8Array(10), signerOf(await generateKey()))
      const bad = decodeChatAck(await push(ChatPush.encode({ events: [plain(unsigned)] })))
      expect(bad.committed).toEqual([])
      const elsewhere = decodeChatAck(
        await push(ChatPush.encode({ events: [plain(event('carol', 'not for bob'))] })),
      )
      expect(elsewhere.refused).toHaveLength(1)
      // A non-contact's message is held as a request; its replay is acknowledged and not applied again.
      const once = event('bob', 'buy my stuff')
      for (let i = 0; i < 3; i++) {
        const ack = decodeChatAck(await push(ChatPush.encode({ events: [plain(once)] })))
        expect(ack.committed).toHaveLength(1)
      }
      const requests = await api<{ requests: { username: string; held: { text: string }[] }[] }>(
        net.home,
        'bob',
        '/v1/chat/requests',
      )
      expect(requests.requests.find((r) => r.username === 'mallory')?.held.map((m) => m.text)).toEqual([
        'buy my stuff',
      ])
      expect(await conversation(net.home, 'bob', 'mallory')).toEqual([])
      // Bob's device is still fine: alice still reaches him.
      const { message } = await send(net.home, 'alice', 'bob', 'still there?')
      await eventually(
        async () => (await conversation(net.home, 'bob', 'alice')).find((m) => m.id === message.id),
        20_000,
      )
    } finally {
      await mallory.stop()
    }
  })
})

describe('the command line', () => {
  const env = () => ({ PARLEY_HOME: net.home })

  it('send, history, contacts, search and status print what a user expects', async () => {
    const sent = await run(['send', 'bob', 'from', 'the', 'command', 'line', '--profile', 'alice'], {
      env: env(),
    })
    expect(sent.code).toBe(0)
    expect(sent.stdout).toMatch(/^sent to bob \(id [0-9a-f]{32}\)/)
    const history = await eventually(async () => {
      const r = await run(['history', 'alice', '--profile', 'bob', '-n', '5'], { env: env() })
      return r.stdout.includes('alice: from the command line') ? r : undefined
    }, 20_000)
    expect(history.code).toBe(0)
    const contacts = await run(['contacts', '--profile', 'bob'], { env: env() })
    expect(contacts.stdout).toMatch(/^alice\s+online/m)
    const found = await run(['search', 'command', 'line', '--profile', 'bob'], { env: env() })
    expect(found.stdout).toContain('(alice)')
    const dnd = await run(['status', 'dnd', '--profile', 'bob'], { env: env() })
    expect(dnd.stdout.trim()).toBe('status: dnd')
    const wrong = await run(['status', 'sleepy', '--profile', 'bob'], { env: env() })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('[invalid_field]')
    await run(['status', 'online', '--profile', 'bob'], { env: env() })
  })

  it('parley chat shows history, sends typed lines, prints incoming messages live', async () => {
    const chat = spawn(process.execPath, [PARLEY, 'chat', 'bob', '--profile', 'alice'], {
      env: { ...process.env, ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    chat.stdout.on('data', (d: Buffer) => (out += d.toString()))
    try {
      await eventually(() => Promise.resolve(out.includes('— bob (') || undefined), 15_000)
      // The history follows the header one line per write on the pipe, and may arrive in pieces
      // (network 24 once read the header and the first of 30 lines): its newest line comes last.
      await eventually(
        () => Promise.resolve(out.includes('alice: from the command line') || undefined),
        15_000,
      )
      expect(out.indexOf('alice: from the command line')).toBeGreaterThan(out.indexOf('— bob ('))
      chat.stdin.write('typed in parley chat\n')
      await eventually(
        async () =>
          (await conversation(net.home, 'bob', 'alice')).some((m) => m.text === 'typed in parley chat') ||
          undefined,
        20_000,
      )
      await send(net.home, 'bob', 'alice', 'answer while chatting')
      await eventually(() => Promise.resolve(out.includes('bob: answer while chatting') || undefined), 20_000)
      chat.stdin.write('/quit\n')
      const code = await new Promise<number | null | 'still running'>((resolve) => {
        chat.once('exit', resolve)
        setTimeout(() => resolve('still running'), 10_000)
      })
      expect(code, out).toBe(0)
    } finally {
      chat.kill('SIGKILL')
    }
  })
})
