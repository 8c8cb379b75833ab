/**
 * The directory on real processes with supernodes SIGSTOPped.
 *
 * 1. A user's three replicas frozen: the user is online (attached to a live
 *    supernode) and published before the freeze, so a lookup from another
 *    device finds them at once, without waiting for failure detection or
 *    repair; and a name nobody has is still "nobody".
 * 2. A user's two best ranks refuse stores while the user comes online (a
 *    drill fault, as a supernode shedding load would), then take them again:
 *    they missed the record, and a lookup asks them first. The user is still
 *    found, and the record is handed to them (hinted handoff) until no
 *    supernode owes anything.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SLOW_FOR_MS } from '../src/supernode/directory-service.js'
import { startDevnet, type Devnet, type DevnetNode } from '../src/devnet/devnet.js'
import { signIn, up } from './support/chat.js'
import { eventually, lookup, status } from './support/devnet.js'
import { tempDir, type Daemon } from './support/process.js'

const dir = tempDir('parley-dir-frozen-')
let net: Devnet
const users = Array.from({ length: 12 }, (_, i) => `user-${i + 1}`)
const attachments = new Map<string, string[]>()

beforeAll(async () => {
  // Scenario 2's fault: SIGUSR2 pauses a supernode's directory stores (src/supernode/drill.ts).
  process.env.PARLEY_DRILL = '1'
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 7,
    devices: users.length,
    devicesPerPool: 6,
  })
  await eventually(async () => {
    for (const u of users) {
      const s = await status(net.home, u)
      if (s.attachments.length < 2) return undefined
      attachments.set(
        u,
        s.attachments.map((a) => a.peerId),
      )
    }
    return true
  }, 90_000)
  // Every device published and is found through every supernode's placement.
  await eventually(async () => {
    for (const u of users) {
      const r = await lookup(net.home, 'user-1', u)
      if (r.status !== 200 || r.body.devices.length !== 1) return undefined
    }
    return true
  }, 30_000)
}, 150_000)

let late: Daemon | undefined

afterAll(async () => {
  for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
  await late?.stop()
  await net?.stop()
  dir.remove()
})

async function replicasOf(username: string): Promise<string[]> {
  const sn = net.supernodes.find((s) => s.httpUrl !== undefined)
  const res = await fetch(`${sn?.httpUrl}/v1/replicas/${username}`)
  return ((await res.json()) as { replicas: string[] }).replicas
}

/**
 * A user whose three replicas can all be frozen while it stays attached to a live supernode, and a
 * looker attached to a live one too; a choice that spares the seed mega-supernode when there is one.
 */
async function choose(): Promise<{ target: string; looker: string; frozen: DevnetNode[] }> {
  const megas = new Set(net.supernodes.filter((s) => s.name.startsWith('mega-')).map((s) => s.peerId))
  const options: Array<{ target: string; replicas: string[] }> = []
  for (const u of users) {
    const replicas = await replicasOf(u)
    if (replicas.length === 3 && (attachments.get(u) ?? []).some((a) => !replicas.includes(a)))
      options.push({ target: u, replicas })
  }
  options.sort(
    (a, b) => a.replicas.filter((r) => megas.has(r)).length - b.replicas.filter((r) => megas.has(r)).length,
  )
  for (const { target, replicas } of options) {
    const looker = users.find(
      (u) => u !== target && (attachments.get(u) ?? []).some((a) => !replicas.includes(a)),
    )
    if (looker !== undefined)
      return { target, looker, frozen: net.supernodes.filter((s) => replicas.includes(s.peerId)) }
  }
  throw new Error('no user can lose all its replicas and stay attached')
}

describe('every replica of an online user frozen', () => {
  it('finds the user at once, and still answers nobody for a name nobody has', async () => {
    const { target, looker, frozen } = await choose()
    expect(frozen).toHaveLength(3)
    for (const sn of frozen) sn.child.process.kill('SIGSTOP')

    const found = await lookup(net.home, looker, target)
    expect(found.body.error).toBeUndefined()
    expect(found.status).toBe(200)
    expect(found.body.devices.map((d) => d.deviceName)).toEqual([target])

    const nobody = await lookup(net.home, looker, 'nobody-at-all')
    expect(nobody.status).toBe(200)
    expect(nobody.body.devices).toEqual([])

    // Lookups one after another for 2 s (past the 300 ms in which a request to a replica fails, a few
    // times over): each finds the user, and the frozen replicas, which failed in a row, are only probed
    // (one request out at a time), not sent a stream per lookup that nobody answers.
    const until = Date.now() + 2_000
    while (Date.now() < until) {
      const again = await lookup(net.home, looker, target)
      expect(again.body.devices.map((d) => d.deviceName)).toEqual([target])
    }
    const frozenIds = new Set(frozen.map((s) => s.peerId))
    const live = net.supernodes.filter((s) => !frozenIds.has(s.peerId))
    const skips = await Promise.all(live.map((s) => gauge(s, 'parley_supernode_directory_probe_skips_total')))
    expect(skips.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  })
})

/** What a supernode's /metrics says for one unlabelled gauge. */
async function gauge(sn: DevnetNode, name: string): Promise<number> {
  const text = await (await fetch(`${sn.httpUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  if (line === undefined) throw new Error(`${sn.name} has no ${name}`)
  return Number(line.split(' ')[1])
}

describe('the best ranks of a user refusing stores while the user comes online', () => {
  it('finds the user once they take stores again, and the ranks that missed the record get it', async () => {
    for (const s of net.supernodes) s.child.process.kill('SIGCONT')
    const megas = new Set(net.supernodes.filter((s) => s.name.startsWith('mega-')).map((s) => s.peerId))
    // A new user whose two best ranks are ordinary supernodes.
    let chosen: { username: string; ranks: string[] } | undefined
    for (let i = 1; chosen === undefined && i <= 50; i++) {
      const ranks = (await replicasOf(`late-${i}`)).slice(0, 2)
      if (ranks.every((r) => !megas.has(r))) chosen = { username: `late-${i}`, ranks }
    }
    if (chosen === undefined) throw new Error('no new username has two ordinary best ranks')
    const { username, ranks } = chosen
    const refusing = net.supernodes.filter((s) => ranks.includes(s.peerId))

    await signIn(net, 'late', username)
    for (const sn of refusing) sn.child.process.kill('SIGUSR2')
    late = await up(net, 'late')
    // Attached twice and published through both: no attachment change (and so no publish) comes later.
    await eventually(
      async () => {
        const s = await status(net.home, 'late')
        return (s.attachments.length === 2 && s.published?.supernodes === 2) || undefined
      },
      30_000,
      100,
      `${username} attached twice and published`,
    )
    // They take stores again, and hold no record of the new user.
    for (const sn of refusing) sn.child.process.kill('SIGUSR2')

    const lateStatus = await status(net.home, 'late')
    // The supernodes that published saw the two ranks fail, and ask them without waiting on them
    // (SLOW_FOR_MS): past that, every lookup asks them first and waits on their answers.
    await sleep(Math.max(0, lateStatus.published!.at + SLOW_FOR_MS + 500 - Date.now()))
    const looker = 'user-1'
    for (let i = 0; i < 10; i++) {
      const found = await lookup(net.home, looker, username)
      expect(found.body.error).toBeUndefined()
      expect(found.body.devices.map((d) => d.deviceId)).toEqual([lateStatus.peerId])
    }
    // Nothing is owed any more: the two ranks took the record they missed.
    await eventually(
      async () => {
        const owed = await Promise.all(
          net.supernodes.map((sn) => gauge(sn, 'parley_supernode_directory_owed')),
        )
        return owed.every((n) => n === 0) || undefined
      },
      30_000,
      500,
      'no supernode owes a record',
    )
  })
})
