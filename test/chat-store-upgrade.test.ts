/**
 * A device upgraded from a Parley whose chat store had no schema versions
 * (79fb1a8): its chat.sqlite, made on that commit's own devnet and kept in
 * test/fixtures/chat-store-79fb1a8 (scripts/build-chat-store-fixture.mjs),
 * is put in a profile signed in on today's devnet, and today's `parley up`
 * opens it: every contact, request and message is there through the local
 * API, and the full-text search finds them. A store from a newer Parley is
 * refused with a clear line and left as it was.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { api, conversation, signIn, up, type Message } from './support/chat.js'
import { run, tempDir, type Daemon } from './support/process.js'

const FIXTURE = join(import.meta.dirname, 'fixtures', 'chat-store-79fb1a8')

interface Contact {
  username: string
  state: string
  greeting: string
  updatedAt: number
  unread: number
}
interface Expected {
  contacts: Contact[]
  requests: Contact[]
  conversations: Record<string, Message[]>
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected

const dir = tempDir('parley-chat-store-')
let net: Devnet
let alice: Daemon | undefined

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 1, fastReattach: true, turn: false })
  await signIn(net, 'alice', 'alice')
  await signIn(net, 'erin', 'erin')
}, 120_000)

afterAll(async () => {
  await alice?.stop('SIGKILL')
  await net?.stop()
  dir.remove()
})

const storeOf = (profile: string) => join(net.home, 'profiles', profile, 'chat.sqlite')
const keys = ({ username, state, greeting, updatedAt, unread }: Contact) => ({
  username,
  state,
  greeting,
  updatedAt,
  unread,
})

describe("a chat store made by 79fb1a8, opened by today's device", () => {
  it('shows every contact, request and message it held', async () => {
    copyFileSync(join(FIXTURE, 'chat.sqlite'), storeOf('alice'))
    alice = await up(net, 'alice')

    const { contacts } = await api<{ contacts: Contact[] }>(net.home, 'alice', '/v1/chat/contacts')
    expect(contacts.map(keys)).toEqual(expected.contacts.map(keys))
    const { requests } = await api<{ requests: Contact[] }>(net.home, 'alice', '/v1/chat/requests')
    expect(requests.map((r) => [r.username, r.greeting])).toEqual([
      ['carol', 'carol here, we met at the conference'],
    ])

    const bob = await conversation(net.home, 'alice', 'bob')
    // As that version listed them, with the reactions this one lists beside each (none on any).
    expect(bob).toEqual(expected.conversations.bob!.map((m) => ({ ...m, reactions: [] })))
    expect(bob.map((m) => m.text)).toContain('left for you while you were away')
    const zurich = await api<{ messages: Message[] }>(net.home, 'alice', '/v1/chat/search?q=Zürich')
    expect(zurich.messages.map((m) => m.text)).toEqual(["Great, I'll bring the photos from Zürich"])
  })

  it('refuses a store from a newer Parley with store_too_new, and leaves the file as it was', async () => {
    const file = storeOf('erin')
    copyFileSync(join(FIXTURE, 'chat.sqlite'), file)
    const db = new Database(file)
    db.pragma('user_version = 99')
    db.close()
    const before = createHash('sha256').update(readFileSync(file)).digest('hex')

    const r = await run(['up', '--profile', 'erin'], { env: { PARLEY_HOME: net.home } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      'parley: chat.sqlite is at schema version 99, newer than this Parley knows (3): it was written by a newer version of Parley',
    )
    expect(r.stderr).toContain('[store_too_new]')
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before)
  })
})
