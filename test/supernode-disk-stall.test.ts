/**
 * A supernode whose disk stalls keeps serving. It caches the signed network config, revocation
 * list and grant list on disk when a new one comes; before 0e255f2 that write and rename were
 * synchronous, inside the list refresh, so a disk that took seconds to answer held every lookup,
 * attachment and membership message the supernode served for as long. Here the stall is made real
 * and endless on every supernode (one host, one disk): the revocation list's temporary file is a
 * named pipe that nobody reads, so opening it for writing blocks until a reader comes. A revocation
 * makes each supernode save the list within a refresh; its devices must keep finding their contacts
 * and its /metrics must keep answering while the save waits, and the save must complete, with the
 * revoked device on the list, once the "disk" answers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deviceIdOf, signerOf } from '../src/crypto/keys.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { Profile } from '../src/device/profile.js'
import { loadIdentity } from '../src/device/session.js'
import { verifyRevocationList } from '../src/trust/revocations.js'
import { signIn } from './support/chat.js'
import { eventually, lookup, pairReady, status } from './support/devnet.js'
import { readPipe, stallAt } from './support/fifo.js'
import { run, tempDir } from './support/process.js'

const dir = tempDir('parley-sn-disk-stall-')
let net: Devnet
const users = ['user-1', 'user-2'] as const
const LIST = 'revocations.bin'
const fifo = (supernode: string) => join(net.home, 'profiles', supernode, `.${LIST}.tmp`)

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 1,
    fastReattach: true,
    turn: false,
    devices: users.length,
    devicesPerPool: users.length,
    revocationRefreshS: 2,
  })
  // A device nobody runs: revoking it changes the list and nothing else.
  await signIn(net, 'spare', 'spare')
  await pairReady(net.home, users)
}, 120_000)

afterAll(async () => {
  // A supernode still blocked on its pipe (the test failed) is let go: a reader drains what it writes.
  for (const s of net?.supernodes ?? []) await readPipe(fifo(s.name), 2_000).catch(() => undefined)
  await net?.stop()
  dir.remove()
})

/** Does this list name the device? Checked against the network key, as the supernode checks it. */
function names(bytes: Uint8Array, deviceId: string): boolean {
  const { config } = loadIdentity(new Profile(net.home, 'spare'))
  return verifyRevocationList(bytes, config).has(deviceId)
}

describe('a stalled disk', () => {
  it('does not stop a supernode from serving while a new revocation list waits to be saved', async () => {
    for (const s of net.supernodes) stallAt(fifo(s.name))
    const spare = deviceIdOf(signerOf(await new Profile(net.home, 'spare').deviceKey()).publicKey)
    const passwordFile = join(dir.path, 'password')
    writeFileSync(passwordFile, `${DEMO_PASSWORD}\n`)
    const revoke = await run(['revoke', spare, '--profile', 'spare', '--password-file', passwordFile], {
      env: { PARLEY_HOME: net.home },
    })
    expect(revoke.code, revoke.stderr).toBe(0)

    // Every supernode fetches the new list within 2 s and starts saving it. Meanwhile, and well past
    // it, every lookup through them is answered, and so is every /metrics.
    const answers: number[] = []
    const metrics: number[] = []
    const until = Date.now() + 18_000
    while (Date.now() < until) {
      const r = await lookup(net.home, 'user-1', 'user-2')
      answers.push(r.status === 200 ? r.body.devices.length : -r.status)
      for (const s of net.supernodes) {
        const m = await fetch(`${s.httpUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })
          .then((res) => res.status)
          .catch(() => 0)
        metrics.push(m)
      }
      await sleep(500)
    }
    // What went wrong, if anything: lookups that did not find user-2's one device (minus the HTTP
    // status when the lookup failed), and /metrics answers that were not 200 (0: none in 5 s).
    expect({
      lookups: answers.filter((n) => n !== 1),
      metrics: metrics.filter((code) => code !== 200),
    }).toEqual({ lookups: [], metrics: [] })
    expect((await status(net.home, 'user-1')).attachments.length).toBeGreaterThanOrEqual(2)

    // The saves waited all along: no supernode's cached list names the revoked device yet.
    for (const s of net.supernodes) {
      expect(names(readFileSync(join(net.home, 'profiles', s.name, LIST)), spare)).toBe(false)
    }

    // The "disk" answers: each save writes the new list and renames it into place (the pipe itself
    // is what gets renamed, so its bytes are the ones read here).
    for (const s of net.supernodes) {
      const written = await readPipe(fifo(s.name), 10_000)
      expect(names(written, spare)).toBe(true)
      await eventually(() => Promise.resolve(existsSync(fifo(s.name)) ? undefined : true), 10_000)
    }
  }, 90_000)
})
