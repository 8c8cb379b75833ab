#!/usr/bin/env node
// Makes a supernode's offline.sqlite as an earlier Parley wrote it, for the
// test that opens it with today's code (src/offline/store-upgrade.test.ts):
// `node scripts/build-offline-store-fixture.mjs [commit]` (default 4306e4d,
// the last commit at offline schema version 1) writes
// test/fixtures/offline-store-<commit>/: offline.sqlite and expected.json,
// every item it holds as that commit's OfflineStore gave it back.
//
// The commit's tree is exported (git archive) to a temporary folder,
// compiled against this checkout's node_modules, and its own OfflineStore
// writes the file: items for bob (two devices) and carol from alice, dave and
// an unsigned sender from before signed deposits, one item whose phone copy
// bob acknowledged, and one item bob acknowledged on both devices (only its
// tombstones are left).
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()

const commit = process.argv[2] ?? '4306e4d'
const sha = git('rev-parse', '--verify', `${commit}^{commit}`)
const short = sha.slice(0, 7)
const out = join(root, 'test', 'fixtures', `offline-store-${short}`)

const work = mkdtempSync(join(tmpdir(), 'parley-offline-fixture-'))
try {
  execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C ${work}`], { cwd: root })
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'))
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: work, stdio: 'inherit' })
  const { OfflineStore } = await import(pathToFileURL(join(work, 'dist/src/offline/store.js')).href)

  const NOW = 1_765_000_000_000
  const rnd = (n) => new Uint8Array(randomBytes(n))
  const item = (recipient, sender, storedAt, devices, signed) => ({
    id: rnd(16),
    recipient,
    sender,
    storedAt,
    nonce: rnd(24),
    ciphertext: rnd(200 + Math.floor(Math.random() * 400)),
    copies: devices.map((deviceId) => ({ deviceId, ephemeral: rnd(32), wrapped: rnd(72) })),
    ...(signed ? { deposit: rnd(620) } : {}),
  })
  const items = []
  for (let i = 0; i < 30; i++)
    items.push(item('bob', i % 3 === 0 ? 'dave' : 'alice', NOW + i * 1000, ['phone', 'laptop'], true))
  for (let i = 0; i < 12; i++) items.push(item('carol', 'alice', NOW + 500 + i * 1000, ['phone'], true))
  // Stored before signed deposits (sender '' or a sender, no deposit): kept unsigned.
  for (let i = 0; i < 3; i++)
    items.push(item('bob', i === 0 ? '' : 'alice', NOW - 86_400_000 + i, ['phone', 'laptop'], false))

  const dir = mkdtempSync(join(tmpdir(), 'parley-offline-store-'))
  const file = join(dir, 'offline.sqlite')
  const store = OfflineStore.open(file)
  store.signedSince(NOW - 3_600_000)
  for (let i = 0; i < items.length; i += 16) {
    const res = store.put(items.slice(i, i + 16), NOW + 60_000)
    if (!res.ok) throw new Error(`put: ${JSON.stringify(res)}`)
  }
  // bob's phone acknowledged the first item; both devices the second (gone, tombstones left).
  store.drop('bob', 'phone', [items[0].id, items[1].id])
  store.drop('bob', 'laptop', [items[1].id])
  const held = store.all()
  const hex = (b) => Buffer.from(b).toString('hex')
  const sha256 = (...parts) => {
    const h = createHash('sha256')
    for (const p of parts) h.update(p)
    return h.digest('hex')
  }
  const expected = {
    commit: sha,
    signedSince: NOW - 3_600_000,
    items: held.map((i) => ({
      recipient: i.recipient,
      id: hex(i.id),
      sender: i.sender,
      storedAt: i.storedAt,
      content: sha256(i.nonce, i.ciphertext),
      copies: i.copies.map((c) => ({ deviceId: c.deviceId, sha256: sha256(c.ephemeral, c.wrapped) })),
      deposit: i.deposit === undefined ? null : sha256(i.deposit),
    })),
    dropped: [
      { recipient: 'bob', id: hex(items[0].id), deviceId: 'phone' },
      { recipient: 'bob', id: hex(items[1].id), deviceId: 'phone' },
      { recipient: 'bob', id: hex(items[1].id), deviceId: 'laptop' },
    ],
    // The dropped items, whole, for a repair push that must not bring them back.
    droppedItems: [items[0], items[1]].map((i) => ({
      recipient: i.recipient,
      id: hex(i.id),
      sender: i.sender,
      storedAt: i.storedAt,
      nonce: hex(i.nonce),
      ciphertext: hex(i.ciphertext),
      copies: i.copies.map((c) => ({
        deviceId: c.deviceId,
        ephemeral: hex(c.ephemeral),
        wrapped: hex(c.wrapped),
      })),
    })),
  }
  store.close()
  mkdirSync(out, { recursive: true })
  copyFileSync(file, join(out, 'offline.sqlite'))
  writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 1) + '\n')
  execFileSync('npx', ['prettier', '--write', join(out, 'expected.json')], { cwd: root })
  writeFileSync(
    join(out, 'README.md'),
    `# A supernode's offline.sqlite, made by Parley ${short}\n\n` +
      `Commit ${sha}, the last at offline schema version 1.\n` +
      `Made by \`node scripts/build-offline-store-fixture.mjs ${short}\` with that commit's own OfflineStore:\n` +
      `${held.length} items for bob (phone, laptop) and carol (phone), signed and unsigned, one copy acknowledged,\n` +
      `one item acknowledged on both devices (tombstones only). expected.json is every item as that store gave it\n` +
      `back. src/offline/store-upgrade.test.ts opens it with today's code. Do not edit it; rebuild it.\n`,
  )
  rmSync(dir, { recursive: true, force: true })
  console.log(`wrote ${out}: ${held.length} items`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
