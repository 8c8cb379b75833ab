/**
 * Profiles (issue 17): a display name, a mood and an avatar, checked by
 * their bytes, sent to contacts and to our other devices, the newest winning
 * everywhere; on real SQLite files, devices handing each other the bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ChatError } from './chat.js'
import { ChatFixtures, crafted, deliver, type Dev } from './hostile.fixtures.js'
import { avatarType, decodeProfile, encodeProfile, profileProblem, ProfileLimits } from './profile.js'

let fx: ChatFixtures
let alice: Dev, alice2: Dev, bob: Dev, carol: Dev

/** The smallest real PNG (1×1), a JPEG's and a WebP's first bytes. */
const PNG = new Uint8Array(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
)
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])
const WEBP = new Uint8Array([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBPVP8 ')])

beforeAll(async () => {
  ;({ fx, alice, bob } = await ChatFixtures.contacts())
  alice2 = await fx.device('alice', 'alice-phone')
  carol = await fx.device('carol')
})

afterAll(() => fx.remove())

const refused = (f: () => void): string => {
  try {
    f()
  } catch (err) {
    if (err instanceof ChatError) return `${err.code}: ${err.message}`
    throw err
  }
  return 'sent'
}

describe('profile rules', () => {
  it('knows an image by its bytes, not its name', () => {
    expect(avatarType(PNG)).toBe('image/png')
    expect(avatarType(JPEG)).toBe('image/jpeg')
    expect(avatarType(WEBP)).toBe('image/webp')
    expect(avatarType(new TextEncoder().encode('<svg onload=alert(1)>'))).toBeUndefined()
    expect(avatarType(new Uint8Array())).toBeUndefined()
  })

  it('refuses an oversized or non-image avatar, a long name or mood, and control characters, in words', () => {
    const p = { name: 'Alice', mood: 'at the lake', avatar: PNG }
    expect(profileProblem(p)).toBeUndefined()
    expect(profileProblem({ ...p, avatar: new Uint8Array() })).toBeUndefined()
    const big = new Uint8Array(ProfileLimits.avatarBytes + 1)
    big.set(PNG)
    expect(profileProblem({ ...p, avatar: big })).toBe('an avatar is at most 32 KiB (33 KiB given)')
    expect(profileProblem({ ...p, avatar: new TextEncoder().encode('GIF89a not allowed') })).toBe(
      'an avatar is a PNG, JPEG or WebP image',
    )
    expect(profileProblem({ ...p, name: 'x'.repeat(65) })).toBe('a display name is at most 64 characters')
    expect(profileProblem({ ...p, mood: 'y'.repeat(141) })).toBe('a mood message is at most 140 characters')
    expect(profileProblem({ ...p, name: 'two\nlines' })).toContain('no control characters')
  })

  it('decodes only what it encodes, and nothing a peer could bend', () => {
    const p = { name: 'Alice Liddell', mood: '🐇', avatar: PNG }
    expect(decodeProfile(encodeProfile(p))).toEqual(p)
    for (const bad of [
      'not json',
      'null',
      '[]',
      '{"name":"a","mood":"b"}',
      '{"name":1,"mood":"b","avatar":""}',
      '{"name":"a","mood":"b","avatar":"!!!"}',
      JSON.stringify({ name: 'a', mood: 'b', avatar: Buffer.from('plain text').toString('base64') }),
    ])
      expect(decodeProfile(bad), bad).toBeUndefined()
  })
})

describe('profiles between devices', () => {
  it("reaches contacts and our other devices; the newest wins; a stranger's is dropped", () => {
    alice.chat.setProfile({ name: 'Alice Liddell', mood: 'down the rabbit hole', avatar: PNG })
    deliver(alice, bob, 'bob')
    // The phone hears what the laptop did, and bob's accept: bob is its contact too.
    deliver(alice, alice2, 'alice')
    deliver(bob, alice2, 'alice')
    for (const d of [bob, alice2])
      expect(d.chat.store.profiles.get('alice')).toMatchObject({
        name: 'Alice Liddell',
        mood: 'down the rabbit hole',
        avatar: PNG,
      })
    expect(bob.notices.some((n) => n.type === 'profile' && n.username === 'alice')).toBe(true)

    alice2.chat.setProfile({ name: 'Alice', mood: '', avatar: new Uint8Array() })
    deliver(alice2, bob, 'bob')
    // The older one again, late: it changes nothing.
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.profiles.get('alice')).toMatchObject({
      name: 'Alice',
      mood: '',
      avatar: new Uint8Array(),
    })

    bob.chat.receive([
      crafted(carol, 'bob', ChatKind.PROFILE, {
        text: encodeProfile({ name: 'Not Carol', mood: '', avatar: PNG }),
      }),
    ])
    expect(bob.chat.store.profiles.get('carol')).toBeUndefined()
  })

  it('refuses a bad profile at the sender with invalid_field, and sends nothing', () => {
    expect(
      refused(() => alice.chat.setProfile({ name: 'A', mood: '', avatar: new Uint8Array([1, 2, 3]) })),
    ).toBe('invalid_field: an avatar is a PNG, JPEG or WebP image')
    expect(alice.chat.store.profiles.get('alice')?.avatar).toEqual(PNG)
  })
})
