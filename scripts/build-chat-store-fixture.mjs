#!/usr/bin/env node
// Makes the chat store of a device running an earlier Parley, for the test
// that opens it with today's code (test/chat-store-upgrade.test.ts):
// `node scripts/build-chat-store-fixture.mjs [commit]` (default 79fb1a8, the
// last commit before the chat store had schema versions) writes
// test/fixtures/chat-store-<commit>/: alice's chat.sqlite and expected.json,
// what alice's device showed through its local API just before it stopped.
//
// The commit is checked out in a temporary git worktree (this needs the commit
// in the local history), compiled against this checkout's node_modules, and
// its own devnet run on 127.0.0.1: a mega-supernode, two supernodes, and
// alice, bob, carol and dave as `parley up` processes. alice and bob become
// contacts and write to each other (one message edited); carol asks alice to
// be a contact, with a greeting, and waits; alice asks dave, who never
// answers; bob stops, and alice writes to him, which goes through the
// supernodes' offline store.
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()

const commit = process.argv[2] ?? '79fb1a8'
const sha = git('rev-parse', '--verify', `${commit}^{commit}`)
const short = sha.slice(0, 7)
const out = join(root, 'test', 'fixtures', `chat-store-${short}`)

const work = mkdtempSync(join(tmpdir(), `parley-chat-store-${short}-`))
const tree = join(work, 'tree')
git('worktree', 'add', '--detach', tree, sha)
let net
try {
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: tree,
      stdio: 'inherit',
    },
  )
  const { startDevnet } = await import(pathToFileURL(join(tree, 'dist', 'src', 'devnet', 'devnet.js')).href)
  net = await startDevnet({
    dir: join(work, 'net'),
    megas: 1,
    supernodes: 2,
    namedDevices: ['alice', 'bob', 'carol', 'dave'],
    fastReattach: true,
    turn: false,
    onProgress: (line) => console.log(`… ${line}`),
  })

  const api = async (profile, path, body) => {
    const info = JSON.parse(readFileSync(join(net.home, 'profiles', profile, 'api.json'), 'utf8'))
    const res = await fetch(info.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    })
    const json = await res.json()
    if (!res.ok) throw new Error(`${profile} ${path}: ${JSON.stringify(json)}`)
    return json
  }
  const until = async (what, check) => {
    for (let i = 0; i < 240; i++) {
      const v = await check().catch(() => undefined)
      if (v) return v
      await sleep(250)
    }
    throw new Error(`timed out waiting for ${what}`)
  }
  const attached = (p) =>
    until(`${p} to attach`, async () => (await api(p, '/v1/status')).attachments.length >= 2)
  const has = (to, from, text) =>
    until(`${to} to get "${text}"`, async () =>
      (await api(to, `/v1/chat/messages/${from}?limit=1000`)).messages.some((m) => m.text === text),
    )
  for (const p of ['alice', 'bob', 'carol']) await attached(p)

  await api('alice', '/v1/chat/contacts/bob', { greeting: 'hi bob, alice here' })
  await until('the request to reach bob', async () =>
    (await api('bob', '/v1/chat/requests')).requests.some((r) => r.username === 'alice'),
  )
  await api('bob', '/v1/chat/contacts/alice/accept', {})
  await until('bob to be a contact', async () =>
    (await api('alice', '/v1/chat/contacts')).contacts.some(
      (c) => c.username === 'bob' && c.state === 'accepted',
    ),
  )
  const talk = [
    ['alice', 'bob', 'Hello Bob, are we still on for Friday?'],
    ['bob', 'alice', 'Yes! 7 pm, the usual place ☕'],
    ['alice', 'bob', "Great, I'll bring the photos from Zürich"],
    ['bob', 'alice', 'Ünïcödé and "quotes" and \'apostrophes\' survive, I hope'],
  ]
  for (const [from, to, text] of talk) {
    await api(from, `/v1/chat/messages/${to}`, { text })
    await has(to, from, text)
  }

  await api('carol', '/v1/chat/contacts/alice', { greeting: 'carol here, we met at the conference' })
  await until("carol's request", async () =>
    (await api('alice', '/v1/chat/requests')).requests.some((r) => r.username === 'carol'),
  )
  await api('alice', '/v1/chat/contacts/dave', { greeting: 'dave, it is alice from the choir' })
  const sent = await api('alice', '/v1/chat/messages/bob', { text: 'See you at 7 pm' })
  await api('alice', `/v1/chat/edit/${sent.message.id}`, { text: 'See you at 7.30 pm (edited)' })
  await has('bob', 'alice', 'See you at 7.30 pm (edited)')

  const bob = net.devices.find((d) => d.name === 'bob')
  const gone = new Promise((resolve) => bob.child.process.once('exit', resolve))
  bob.child.process.kill('SIGTERM')
  await gone
  await api('alice', '/v1/chat/messages/bob', { text: 'left for you while you were away' })
  await until("alice's outbox to empty", async () => (await api('alice', '/v1/chat/outbox')).pending === 0)

  const expected = {
    commit: sha,
    user: 'alice',
    contacts: (await api('alice', '/v1/chat/contacts')).contacts,
    requests: (await api('alice', '/v1/chat/requests')).requests,
    conversations: {
      bob: (await api('alice', '/v1/chat/messages/bob?limit=1000')).messages,
      carol: (await api('alice', '/v1/chat/messages/carol?limit=1000')).messages,
    },
    outbox: (await api('alice', '/v1/chat/outbox')).pending,
  }
  const alice = net.devices.find((d) => d.name === 'alice')
  const stopped = new Promise((resolve) => alice.child.process.once('exit', resolve))
  alice.child.process.kill('SIGTERM')
  await stopped
  const store = join(net.home, 'profiles', 'alice', 'chat.sqlite')
  // A clean stop checkpoints the write-ahead log into the file and removes it.
  if (existsSync(`${store}-wal`)) throw new Error('alice stopped without checkpointing chat.sqlite-wal')

  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  copyFileSync(store, join(out, 'chat.sqlite'))
  writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n')
  writeFileSync(
    join(out, 'README.md'),
    `# alice's chat.sqlite, made by Parley ${short}\n\n` +
      `Commit ${sha}, the last before the chat store had schema versions.\n` +
      'Made by `node scripts/build-chat-store-fixture.mjs ' +
      `${short}\` on a devnet of that commit: contacts alice and bob wrote to each other, carol (a\n` +
      'stranger) left a contact request, alice asked dave, who never answered, and alice wrote to bob while he was away\n' +
      "(delivered through the supernodes' offline store). expected.json is what alice's local API\n" +
      "showed just before she stopped. test/chat-store-upgrade.test.ts opens it with today's code.\n" +
      'Do not edit it; rebuild it.\n',
  )
  console.log(`wrote ${out}`)
} finally {
  await net?.stop().catch(() => undefined)
  git('worktree', 'remove', '--force', tree)
  rmSync(work, { recursive: true, force: true })
}
