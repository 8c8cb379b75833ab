/**
 * H3 on real processes: the supernode role is granted, not assumed. Before
 * the fix every account's certificate allowed the role, so any account
 * holder could start `parley supernode`, join the mesh and hold others'
 * offline items and directory records. Now an ordinary account is refused at
 * start (one line naming grant-supernode, within 10 s); the operator's grant
 * lets a supernode join; and within a minute of `revoke-supernode` no other
 * supernode lists it alive, though it still runs and its 7-day certificate
 * still says it may, and no device stays attached to it (devices fetch the
 * signed grant list from their supernodes, as they do revocations).
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { spawnParley, type Child } from '../../src/devnet/children.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { api, signIn as signInUser, up } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { run, tempDir, type Daemon } from '../support/process.js'

/** The promises: refused within 10 s at start; dropped by every supernode within a minute. */
const START_REFUSAL_MS = 10_000
const WITHDRAWAL_MS = 60_000

interface Status {
  members: Array<{ peerId: string; state: string }>
}

const dir = tempDir('parley-hostile-grant-')
let net: Devnet
let rogue: Child | undefined
let phone: Daemon | undefined

beforeAll(async () => {
  net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, devices: 0, turn: false })
}, 120_000)

afterAll(async () => {
  await phone?.stop()
  await rogue?.stop()
  await net?.stop()
  dir.remove()
})

const authorityDir = () => join(dir.path, 'authority')
const env = () => ({ PARLEY_HOME: net.home })

/** Registers `username` and signs a device of it in as profile `profile`. */
async function account(username: string, profile: string): Promise<string> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD)
  const cert = await signIn({
    profile: new Profile(net.home, profile),
    authority: net.authorityUrl,
    username,
    password: DEMO_PASSWORD,
    deviceName: profile,
  })
  return cert.deviceId
}

/** How each of the devnet's own supernodes sees `peerId`: alive, suspect, dead or missing. */
async function viewsOf(peerId: string): Promise<string[]> {
  return Promise.all(
    net.supernodes.map(async (s) => {
      const st = (await (
        await fetch(`${s.httpUrl}/v1/status`, { signal: AbortSignal.timeout(5000) })
      ).json()) as Status
      return st.members.find((m) => m.peerId === peerId)?.state ?? 'missing'
    }),
  )
}

const live = (state: string) => state === 'alive' || state === 'suspect'

/** The supernodes alice's phone is attached to, as its `/v1/status` says. */
async function attachedTo(): Promise<string[]> {
  const s = await api<{ attachments: Array<{ peerId: string }> }>(net.home, 'alice-phone', '/v1/status')
  return s.attachments.map((a) => a.peerId)
}

describe('the supernode role is granted, not assumed', () => {
  it('an ordinary account cannot run a supernode: it exits non-zero within 10 s, with one line naming grant-supernode', async () => {
    await account('mallory', 'mallory-sn')
    const started = Date.now()
    const res = await run(['supernode', '--profile', 'mallory-sn'], {
      env: env(),
      timeoutMs: START_REFUSAL_MS,
    })
    expect(Date.now() - started).toBeLessThan(START_REFUSAL_MS)
    expect(res.code).not.toBe(0)
    const lines = res.stderr.split('\n').filter((l) => l.trim() !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/parley authority grant-supernode mallory/)
  })

  it('a granted supernode joins the mesh; after revoke-supernode, within 60 s, no other supernode lists it alive and no device stays attached to it', async () => {
    // Signed in before the grant: its certificate lacks the role, and `parley supernode` renews to get it.
    const peerId = await account('carol', 'carol-sn')
    expect(loadIdentity(new Profile(net.home, 'carol-sn')).certificate.policy.maySupernode).toBe(false)
    const granted = await run(['authority', 'grant-supernode', 'carol', '--data-dir', authorityDir()], {
      env: env(),
    })
    expect(granted.stderr).toBe('')
    expect(granted.code).toBe(0)
    const listed = await run(['authority', 'supernode-grants', '--json', '--data-dir', authorityDir()], {
      env: env(),
    })
    const grants = (JSON.parse(listed.stdout) as { grants: Array<{ username: string }> }).grants
    expect(grants.map((g) => g.username).sort()).toEqual(['carol', 'operator'])

    rogue = await spawnParley(
      'carol-sn',
      ['supernode', '--profile', 'carol-sn'],
      /supernode (\S+).* listening at .* http (\S+)/,
      { logDir: net.logDir, env: env() },
    )
    expect(rogue.ready[1]).toBe(peerId)
    expect(loadIdentity(new Profile(net.home, 'carol-sn')).certificate.policy.maySupernode).toBe(true)
    await eventually(
      async () => ((await viewsOf(peerId)).every((s) => s === 'alive') ? true : undefined),
      30_000,
    )
    // A device attached to every supernode, carol's among them.
    await signInUser(net, 'alice-phone', 'alice')
    phone = await up(net, 'alice-phone', ['--attachments', '4'])
    await eventually(async () => ((await attachedTo()).includes(peerId) ? true : undefined), 30_000)

    const revoked = await run(['authority', 'revoke-supernode', 'carol', '--data-dir', authorityDir()], {
      env: env(),
    })
    const withdrawnAt = Date.now()
    expect(revoked.code).toBe(0)
    // The promised deadline, asserted as promised: look once, at 60 s.
    await sleep(withdrawnAt + WITHDRAWAL_MS - Date.now())
    const views = await viewsOf(peerId)
    expect(views.filter(live)).toEqual([])
    // The phone learnt of the withdrawal from its supernodes' signed grant list and left carol's,
    // though carol still answers it with an announcement whose certificate says it may.
    const attached = await attachedTo()
    expect(attached).not.toContain(peerId)
    expect(attached.length).toBeGreaterThan(0)
    // Not because it died: it still runs, with a certificate that still says it may.
    expect(rogue.process.exitCode).toBeNull()
    expect(loadIdentity(new Profile(net.home, 'carol-sn')).certificate.policy.maySupernode).toBe(true)
  }, 150_000)
})
