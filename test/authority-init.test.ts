/** `parley authority init` makes the network key (0600); the authority refuses to start without one and says how. */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { run, tempDir } from './support/process.js'

const dir = tempDir('parley-init-')
afterAll(() => dir.remove())

it('refuses to start without a network key, and says how to make one', async () => {
  const res = await run(['authority', '--data-dir', join(dir.path, 'empty'), '--listen', '127.0.0.1:0'])
  expect(res.code).toBe(1)
  expect(res.stderr).toMatch(/no network key in .*; create one with: parley authority init --data-dir/)
  expect(res.stderr).not.toMatch(/\n\s+at /)
})

it('creates the key and admin token readable by the owner only, and never overwrites them', async () => {
  const dataDir = join(dir.path, 'net')
  const first = await run(['authority', 'init', '--data-dir', dataDir, '--network-id', 'acme'])
  expect(first.code).toBe(0)
  expect(first.stdout).toMatch(/created network acme/)
  expect(statSync(join(dataDir, 'network.key')).mode & 0o777).toBe(0o600)
  expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600)
  const before = statSync(join(dataDir, 'network.key')).mtimeMs

  const again = await run(['authority', 'init', '--data-dir', dataDir])
  expect(again.code).toBe(1)
  expect(again.stderr).toMatch(/already exists; this authority is initialised/)
  expect(statSync(join(dataDir, 'network.key')).mtimeMs).toBe(before)
})

it('changes the network config and raises its sequence', async () => {
  const dataDir = join(dir.path, 'net')
  const res = await run([
    'authority',
    'config',
    '--data-dir',
    dataDir,
    '--min-client-version',
    '0.2.0',
    '--ban-supernode-version',
    '0.1.5',
  ])
  expect(res.code).toBe(0)
  const config = JSON.parse(res.stdout) as {
    sequence: number
    minClientVersion: string
    policies: { supernodeBannedVersions: string[] }
  }
  expect(config.sequence).toBe(2)
  expect(config.minClientVersion).toBe('0.2.0')
  expect(config.policies.supernodeBannedVersions).toEqual(['0.1.5'])
  const bad = await run(['authority', 'config', '--data-dir', dataDir, '--min-client-version', 'latest'])
  expect(bad.code).toBe(1)
  expect(bad.stderr).toMatch(/minClientVersion must be like 1\.2\.3/)
})
