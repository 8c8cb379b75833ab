/**
 * The chat core on real SQLite files, two or three "devices" in one process
 * handing each other the signed bytes: contact rules, ordering, receipts,
 * edits, duplicates and every kind of bad input.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PayloadType, seal } from '../crypto/envelope.js'
import { generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { issueCertificate } from '../trust/certificate.js'
import { deviceIdOf } from '../crypto/keys.js'
import { ChatKind } from '../wire/chat.js'
import { Chat, ChatError, type ChatNotice } from './chat.js'
import { ChatStore } from './store.js'

const NETWORK = 'test-net'
const dir = mkdtempSync(join(tmpdir(), 'parley-chat-'))
let network: Signer

interface Dev {
  chat: Chat
  notices: ChatNotice[]
  signer: Signer
}

async function device(username: string, name: string): Promise<Dev> {
  const signer = signerOf(await generateKey())
  const now = Date.now()
  const certificate = issueCertificate(
    {
      networkId: NETWORK,
      serial: BigInt(now),
      username,
      devicePublicKey: signer.publicKey,
      deviceName: name,
      policy: { maySupernode: false, mayRelay: true, maySendFiles: true },
      organisation: '',
      notBefore: now - 60_000,
      notAfter: now + 86_400_000,
    },
    network,
  )
  const notices: ChatNotice[] = []
  const chat = new Chat(
    new ChatStore(join(dir, `${name}.sqlite`)),
    { username, deviceId: deviceIdOf(signer.publicKey), certificate: () => certificate, signer },
    () => ({ networkPublicKey: network.publicKey, networkId: NETWORK, now: Date.now() }),
    randomBytes,
    (n) => notices.push(n),
  )
  return { chat, notices, signer }
}

/** Everything `from` queued for `user`, as its bytes (what delivery would push). */
function outbox(from: Dev, user: string): Uint8Array[] {
  return from.chat.store.outbox.due(user, Date.now() + 1, 10_000).map((e) => e.bytes)
}

function deliver(from: Dev, to: Dev, user: string) {
  return to.chat.receive(outbox(from, user))
}

let alice: Dev, alice2: Dev, bob: Dev, carol: Dev

beforeAll(async () => {
  network = signerOf(await generateKey())
  alice = await device('alice', 'alice-laptop')
  alice2 = await device('alice', 'alice-phone')
  bob = await device('bob', 'bob-laptop')
  carol = await device('carol', 'carol-laptop')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('contacts', () => {
  it('a request with a greeting, then an accept, makes both sides contacts', () => {
    alice.chat.addContact('bob', 'hi bob, it is alice')
    expect(alice.chat.store.contact('bob')?.state).toBe('requested')
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.contact('alice')).toMatchObject({
      state: 'pending',
      greeting: 'hi bob, it is alice',
    })
    bob.chat.accept('alice')
    deliver(bob, alice, 'alice')
    expect(alice.chat.store.contact('bob')?.state).toBe('accepted')
    expect(bob.chat.store.contact('alice')?.state).toBe('accepted')
  })

  it('a message from a non-contact is held as a request, not put in a conversation', () => {
    expect(() => carol.chat.send('bob', 'hello?')).toThrow(ChatError)
    // A modified client could sign one anyway: bob holds it apart.
    carol.chat.addContact('bob', 'carol here')
    const forced = (
      carol.chat as unknown as { create: (k: ChatKind, to: string, b: object) => unknown }
    ).create(ChatKind.TEXT, 'bob', { text: 'buy my stuff' })
    expect(forced).toBeDefined()
    deliver(carol, bob, 'bob')
    expect(bob.chat.store.conversation('carol')).toEqual([])
    expect(bob.chat.store.conversation('carol', 50, true).map((m) => m.text)).toEqual(['buy my stuff'])
    expect(bob.chat.store.contact('carol')?.state).toBe('pending')
  })

  it('presence from a non-contact is ignored; from a contact it is applied', () => {
    const before = bob.notices.length
    bob.chat.receive([carol.chat.live(ChatKind.PRESENCE, 'bob')])
    expect(bob.notices.slice(before).some((n) => n.type === 'presence')).toBe(false)
    bob.chat.receive([alice.chat.live(ChatKind.PRESENCE, 'bob')])
    expect(bob.notices.slice(before).some((n) => n.type === 'presence' && n.username === 'alice')).toBe(true)
  })

  it('blocking lasts: nothing more from the blocked user is kept', () => {
    bob.chat.block('carol')
    const before = bob.chat.store.conversation('carol', 50, true).length
    carol.chat.addContact('bob', 'again')
    const r = deliver(carol, bob, 'bob')
    expect(r.committed.length).toBeGreaterThan(0) // acknowledged, so carol's device stops retrying
    expect(bob.chat.store.conversation('carol', 50, true).length).toBe(before)
    expect(bob.chat.store.contact('carol')?.state).toBe('blocked')
  })
})

describe('messages', () => {
  it('both devices show a conversation in the same order, with receipts', () => {
    alice.chat.send('bob', 'one')
    bob.chat.send('alice', 'two')
    alice.chat.send('bob', 'three')
    deliver(alice, bob, 'bob')
    deliver(bob, alice, 'alice')
    const seen = (d: Dev, peer: string) => d.chat.store.conversation(peer).map((m) => m.text)
    expect(seen(alice, 'bob')).toEqual(seen(bob, 'alice'))
    expect(seen(bob, 'alice').slice(-3)).toEqual(expect.arrayContaining(['one', 'two', 'three']))
    bob.chat.markRead('alice')
    deliver(bob, alice, 'alice')
    const mine = alice.chat.store.conversation('bob').filter((m) => m.sender === 'alice')
    expect(mine.every((m) => m.state === 'read')).toBe(true)
  })

  it("edits and deletes apply on the other side; nobody edits another user's message", () => {
    const m = alice.chat.send('bob', 'helo')
    alice.chat.edit(Buffer.from(m.id, 'hex'), 'hello')
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.message(Buffer.from(m.id, 'hex'))).toMatchObject({ text: 'hello', edited: true })
    expect(() => bob.chat.edit(Buffer.from(m.id, 'hex'), 'hacked')).toThrow(ChatError)
    alice.chat.delete(Buffer.from(m.id, 'hex'))
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.message(Buffer.from(m.id, 'hex'))).toMatchObject({ text: '', deleted: true })
  })

  it('a duplicate or replayed event is harmless: one message', () => {
    const m = alice.chat.send('bob', 'only once')
    const bytes = outbox(alice, 'bob')
    bob.chat.receive(bytes)
    const again = bob.chat.receive(bytes)
    expect(again.applied).toEqual([])
    expect(again.committed.length).toBe(bytes.length)
    expect(bob.chat.store.conversation('alice', 1000).filter((x) => x.id === m.id)).toHaveLength(1)
  })

  it('an event for another user is refused; unsigned and malformed bytes are dropped', () => {
    alice.chat.send('bob', 'for bob only')
    const r = carol.chat.receive(outbox(alice, 'bob'))
    expect(r.committed).toEqual([])
    expect(r.refused.length).toBeGreaterThan(0)
    const junk = [
      new Uint8Array([1, 2, 3]),
      new Uint8Array(0),
      seal(PayloadType.ChatEvent, new Uint8Array(40), carol.signer),
    ]
    const bad = bob.chat.receive(junk)
    expect(bad).toEqual({ committed: [], refused: [], applied: [], refusals: [] })
    // A changed byte in a signed event: the signature fails, nothing is applied.
    const [good] = outbox(alice, 'bob').slice(-1)
    const changed = good!.slice()
    changed[changed.length - 70] = (changed[changed.length - 70] ?? 0) ^ 1
    expect(bob.chat.receive([changed]).committed).toEqual([])
  })

  it('a text over 64 KiB is refused with a clear error', () => {
    expect(() => alice.chat.send('bob', 'x'.repeat(64 * 1024 + 1))).toThrow(/64 KiB/)
  })

  it("the user's other device gets what was sent and applies it as its own", () => {
    alice2.chat.receive(outbox(alice, 'alice'))
    // What bob sent reached every device of alice (his delivery pushes to each).
    alice2.chat.receive(outbox(bob, 'alice'))
    expect(alice2.chat.store.contact('bob')?.state).toBe('accepted')
    const texts = alice2.chat.store.conversation('bob', 1000).map((m) => m.text)
    expect(texts).toEqual(expect.arrayContaining(['one', 'three', 'for bob only']))
    expect(alice2.chat.store.search('three').map((m) => m.text)).toEqual(['three'])
  })
})

describe('calls and files in the conversation', () => {
  it('a call signal from a contact is announced live and never stored; from a stranger it is dropped', () => {
    const before = bob.notices.length
    bob.chat.receive([alice.chat.signal('bob', '{"sdp":"offer"}')])
    const got = bob.notices.slice(before).filter((n) => n.type === 'call-signal')
    expect(got).toEqual([expect.objectContaining({ username: 'alice', payload: '{"sdp":"offer"}' })])
    const stranger = bob.notices.length
    bob.chat.receive([carol.chat.signal('bob', '{"sdp":"spam"}')])
    expect(bob.notices.slice(stranger).some((n) => n.type === 'call-signal')).toBe(false)
  })

  it('call events and file offers are conversation entries of their own kind; answers come back as notices', () => {
    const offer = alice.chat.record(ChatKind.FILE_OFFER, 'bob', '{"name":"a.txt","size":3}')
    alice.chat.record(ChatKind.CALL_EVENT, 'bob', '{"what":"ended","durationMs":61000}')
    deliver(alice, bob, 'bob')
    const kinds = bob.chat.store.conversation('alice', 5).map((m) => m.kind)
    expect(kinds.slice(-2)).toEqual(['file', 'call'])
    bob.chat.record(ChatKind.FILE_ANSWER, 'alice', 'accept', [offer])
    const before = alice.notices.length
    deliver(bob, alice, 'alice')
    expect(alice.notices.slice(before)).toContainEqual(
      expect.objectContaining({
        type: 'file-answer',
        username: 'bob',
        answer: 'accept',
        offer: Buffer.from(offer).toString('hex'),
      }),
    )
    expect(() => carol.chat.record(ChatKind.FILE_OFFER, 'bob', '{}')).toThrow(ChatError)
  })
})
