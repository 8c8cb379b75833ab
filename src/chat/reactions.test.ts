/**
 * Replies and reactions (issue 17) on real SQLite files, alice's and bob's
 * devices handing each other the signed bytes: what each side shows, the
 * newest reaction winning on every device, and every bad input refused with
 * a stable code or dropped without a trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ChatError } from './chat.js'
import { ChatFixtures, crafted, deliver, outbox, type Dev } from './hostile.fixtures.js'
import { QUICK_REACTIONS, reactionProblem } from './reactions.js'

let fx: ChatFixtures
let alice: Dev, alice2: Dev, bob: Dev, carol: Dev

beforeAll(async () => {
  ;({ fx, alice, bob } = await ChatFixtures.contacts())
  alice2 = await fx.device('alice', 'alice-phone')
  carol = await fx.device('carol')
})

afterAll(() => fx.remove())

const id = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'))
const shown = (d: Dev, peer: string, text: string) =>
  d.chat.store.conversation(peer).find((m) => m.text === text)!
const codeOf = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    if (err instanceof ChatError) return err.code
    throw err
  }
  return 'no error'
}

describe('replies', () => {
  it('a reply carries the message it quotes to the other side', () => {
    const question = bob.chat.send('alice', 'lunch at noon?')
    deliver(bob, alice, 'alice')
    const reply = alice.chat.send('bob', 'yes, see you there', id(question.id))
    expect(reply.replyTo).toBe(question.id)
    deliver(alice, bob, 'bob')
    expect(shown(bob, 'alice', 'yes, see you there').replyTo).toBe(question.id)
    expect(shown(bob, 'alice', 'lunch at noon?').replyTo).toBeUndefined()
  })

  it('refuses a reply to a message that is not in the conversation, with not_found', () => {
    expect(codeOf(() => alice.chat.send('bob', 'hm', id('00'.repeat(16))))).toBe('not_found')
    carol.chat.addContact('alice', '')
    deliver(carol, alice, 'alice')
    alice.chat.accept('carol')
    const toCarol = alice.chat.send('carol', 'for carol only')
    // A message of another conversation cannot be quoted here.
    expect(codeOf(() => alice.chat.send('bob', 'quoting carol', id(toCarol.id)))).toBe('not_found')
  })
})

describe('reactions', () => {
  it("crosses both ways, counts each user once, and a user's newest reaction replaces theirs", () => {
    const m = alice.chat.send('bob', 'we shipped it')
    deliver(alice, bob, 'bob')
    bob.chat.react(id(m.id), '🎉')
    deliver(bob, alice, 'alice')
    expect(alice.chat.store.messageWithReactions(id(m.id))!.reactions).toEqual([
      { emoji: '🎉', users: ['bob'] },
    ])
    alice.chat.react(id(m.id), '🎉')
    bob.chat.react(id(m.id), '👍')
    deliver(alice, bob, 'bob')
    deliver(bob, alice, 'alice')
    for (const d of [alice, bob]) {
      const reactions = shown(d, d === alice ? 'bob' : 'alice', 'we shipped it').reactions!
      expect([...reactions].sort((a, b) => (a.emoji < b.emoji ? -1 : 1))).toEqual([
        { emoji: '🎉', users: ['alice'] },
        { emoji: '👍', users: ['bob'] },
      ])
    }
    // Taken back: gone on both sides.
    bob.chat.react(id(m.id), '')
    deliver(bob, alice, 'alice')
    expect(shown(alice, 'bob', 'we shipped it').reactions).toEqual([{ emoji: '🎉', users: ['alice'] }])
    // Announced to the user as an updated message.
    expect(alice.notices.at(-1)).toMatchObject({
      type: 'message-updated',
      message: { text: 'we shipped it' },
    })
  })

  it("reaches the reactor's other device too, and an older reaction arriving late changes nothing", () => {
    // The phone knows what the laptop did (bob is a contact there too).
    deliver(alice, alice2, 'alice')
    const m = bob.chat.send('alice', 'new build is up')
    deliver(bob, alice, 'alice')
    deliver(bob, alice2, 'alice')
    alice.chat.react(id(m.id), '👀')
    const older = outbox(alice, 'alice')
    alice.chat.react(id(m.id), '✅')
    const newer = outbox(alice, 'alice').filter((b) => !older.some((o) => Buffer.compare(o, b) === 0))
    expect(newer).toHaveLength(1)
    // The phone gets the newer one first, then the older one late.
    alice2.chat.receive(newer)
    expect(shown(alice2, 'bob', 'new build is up').reactions).toEqual([{ emoji: '✅', users: ['alice'] }])
    alice2.chat.receive(older)
    expect(shown(alice2, 'bob', 'new build is up').reactions).toEqual([{ emoji: '✅', users: ['alice'] }])
  })

  it('refuses what is not one emoji, and reactions on unknown, deleted or call entries, with stable codes', () => {
    const m = alice.chat.send('bob', 'react to me')
    for (const bad of ['ok', 'two words', '👍👍', ' ', 'a👍', '<b>x</b>', '🎉'.repeat(9)])
      expect(
        codeOf(() => alice.chat.react(id(m.id), bad)),
        bad,
      ).toBe('invalid_field')
    for (const good of [...QUICK_REACTIONS, '👨‍👩‍👧', '🇫🇷', '1️⃣', ''])
      expect(reactionProblem(good), good).toBeUndefined()
    expect(codeOf(() => alice.chat.react(id('11'.repeat(16)), '👍'))).toBe('not_found')
    alice.chat.delete(id(m.id))
    expect(codeOf(() => alice.chat.react(id(m.id), '👍'))).toBe('invalid_field')
  })

  it("drops, without storing, a peer's reaction that is not an emoji, is on another conversation's message, or comes from a stranger", () => {
    const m = alice.chat.send('bob', 'only ours')
    deliver(alice, bob, 'bob')
    const toCarol = alice.chat.send('carol', 'not for bob')
    for (const bytes of [
      crafted(bob, 'alice', ChatKind.REACTION, { text: 'not an emoji', refs: [id(m.id)] }),
      crafted(bob, 'alice', ChatKind.REACTION, { text: '👍', refs: [id(toCarol.id)] }),
      crafted(bob, 'alice', ChatKind.REACTION, { text: '👍', refs: [] }),
    ]) {
      const r = alice.chat.receive([bytes])
      expect(r.refused).toHaveLength(0)
    }
    const stranger = crafted(carol, 'alice', ChatKind.REACTION, { text: '👍', refs: [id(m.id)] })
    alice.chat.receive([stranger])
    expect(shown(alice, 'bob', 'only ours').reactions).toEqual([])
    expect(alice.chat.store.messageWithReactions(id(toCarol.id))!.reactions).toEqual([])
  })
})
