/**
 * The directory on real processes with a user's three replicas SIGSTOPped:
 * the user is online (attached to a live supernode) and published before the
 * freeze, so a lookup from another device finds them at once, without waiting
 * for failure detection or repair; and a name nobody has is still "nobody".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet, type DevnetNode } from '../src/devnet/devnet.js'
import { eventually, lookup, status } from './support/devnet.js'
import { tempDir } from './support/process.js'

const dir = tempDir('parley-dir-frozen-')
let net: Devnet
const users = Array.from({ length: 12 }, (_, i) => `user-${i + 1}`)
const attachments = new Map<string, string[]>()

beforeAll(async () => {
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

afterAll(async () => {
  for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
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
  })
})
