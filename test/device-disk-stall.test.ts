/**
 * A device whose disk stalls keeps working. The device saves its host cache
 * a few seconds after its supernodes change; that write and rename used to be
 * synchronous, so a disk that took seconds to answer held the device's event
 * loop (and with it every lookup, message and call) for as long: in
 * bench:directory one rename held two devices' lookups for 2.6 s right after
 * a freeze. Here the stall is made real and endless: the cache's temporary
 * file is a named pipe that nobody reads, so opening it for writing blocks
 * until a reader comes. The device must keep answering lookups while its save
 * waits, and the save must complete, with the device's supernodes in it, once
 * the "disk" answers.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { lookup, pairReady, status } from './support/devnet.js'
import { readPipe, stallAt } from './support/fifo.js'
import { tempDir } from './support/process.js'

const dir = tempDir('parley-disk-stall-')
let net: Devnet
const users = ['user-1', 'user-2'] as const
const fifo = () => join(net.home, 'profiles', 'user-1', '.hosts.json.tmp')

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    fastReattach: true,
    supernodes: 3,
    devices: users.length,
    devicesPerPool: 1,
  })
  await pairReady(net.home, users)
}, 120_000)

afterAll(async () => {
  for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
  // A device still blocked on the pipe (the test failed) is let go: a reader drains what it writes.
  await readPipe(fifo(), 2_000).catch(() => undefined)
  await net?.stop()
  dir.remove()
})

describe('a stalled disk', () => {
  it('does not stop a device from finding its contacts while its host cache waits to be saved', async () => {
    stallAt(fifo())

    // One of user-1's supernodes freezes: user-1 attaches elsewhere, and its host cache changes.
    const before = (await status(net.home, 'user-1')).attachments.map((a) => a.peerId)
    const victim = net.supernodes.find((s) => before.includes(s.peerId) && !s.name.startsWith('mega-'))
    expect(victim, 'user-1 is attached to an ordinary supernode').toBeDefined()
    victim!.child.process.kill('SIGSTOP')

    // The save comes 5 s after the change; the change within a few seconds of the freeze. Meanwhile,
    // and well past it, every lookup user-1 makes is answered.
    const answers: number[] = []
    const until = Date.now() + 20_000
    while (Date.now() < until) {
      const r = await lookup(net.home, 'user-1', 'user-2')
      answers.push(r.body.devices.length)
      await sleep(500)
    }
    expect(answers.every((n) => n === 1)).toBe(true)
    expect((await status(net.home, 'user-1')).attachments.map((a) => a.peerId)).not.toContain(victim!.peerId)

    // The "disk" answers: the save that waited all along completes with user-1's supernodes in it.
    const saved = JSON.parse((await readPipe(fifo(), 10_000)).toString('utf8')) as Array<{ peerId: string }>
    const now = (await status(net.home, 'user-1')).attachments.map((a) => a.peerId)
    for (const id of now) expect(saved.map((h) => h.peerId)).toContain(id)
  }, 90_000)
})
