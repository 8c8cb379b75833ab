/**
 * The supernode network on real processes over loopback: devices attach,
 * publish and find each other across supernodes; one supernode SIGKILLed and
 * another SIGSTOPped mid-test changes nothing a user notices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { deviceApi, eventually, lookup, status, type LookupAnswer } from './support/devnet.js'
import { tempDir } from './support/process.js'

const dir = tempDir('parley-net-')
let net: Devnet
const users = Array.from({ length: 8 }, (_, i) => `user-${i + 1}`)

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    fastReattach: true,
    supernodes: 4,
    devices: users.length,
    devicesPerPool: 4,
  })
  // Every device attached twice and published.
  await eventually(async () => {
    for (const u of users) if ((await status(net.home, u)).attachments.length < 2) return undefined
    return true
  }, 90_000)
}, 120_000)

afterAll(async () => {
  for (const s of net?.supernodes ?? []) s.child.process.kill('SIGCONT')
  await net?.stop()
  dir.remove()
})

async function findsAll(from: string, among: string[]): Promise<boolean> {
  for (const u of among) {
    const r = await lookup(net.home, from, u)
    if (r.status !== 200 || r.body.devices.length !== 1) return false
  }
  return true
}

describe('a healthy network', () => {
  it('every device finds every other device, whichever supernodes they attached to', async () => {
    await eventually(async () => ((await findsAll('user-1', users)) ? true : undefined), 20_000)
    expect(await findsAll('user-5', users)).toBe(true)
    const bob = await lookup(net.home, 'user-1', 'user-2')
    const [device] = bob.body.devices
    expect(device?.deviceName).toBe('user-2')
    // Its relay circuits only: a lookup never tells anyone the device's own address (M6).
    expect(device?.addrs.length).toBeGreaterThan(0)
    expect(device?.addrs.every((a) => a.includes('/p2p-circuit'))).toBe(true)
  })

  it('answers an unknown name with not found', async () => {
    const r = await lookup(net.home, 'user-1', 'nobody-here')
    expect(r.status).toBe(200)
    expect(r.body.devices).toEqual([])
  })

  it('reaches a found device through its relay: the two users are not contacts', async () => {
    const r = await deviceApi<LookupAnswer>(net.home, 'user-3', '/v1/lookup/user-4?reach=1')
    expect(r.body.devices[0]?.reached?.path).toBe('relayed')
  })
})

describe('one supernode killed and another frozen', () => {
  it('every online device is still found, lookups are answered, devices re-attach', async () => {
    const victims = net.supernodes.filter((s) => !s.name.startsWith('mega-')).slice(0, 2)
    const [killed, frozen] = victims
    if (killed === undefined || frozen === undefined) throw new Error('devnet too small')
    killed.child.process.kill('SIGKILL')
    frozen.child.process.kill('SIGSTOP')
    const gone = new Set([killed.peerId, frozen.peerId])

    // Lookups keep working at once: no lookup waits on the dead or frozen replicas for long.
    const started = Date.now()
    for (const u of users) {
      const r = await lookup(net.home, 'user-1', u)
      if (r.status === 200 && r.body.devices.length === 1) continue
      // A device whose two supernodes were exactly these two needs a moment to re-attach and republish.
      await eventually(async () => {
        const again = await lookup(net.home, 'user-1', u)
        return again.status === 200 && again.body.devices.length === 1 ? true : undefined
      }, 20_000)
    }
    expect(Date.now() - started).toBeLessThan(60_000)

    // Within seconds every device drops the dead and frozen supernodes and is served by a live one…
    const attachments = async (need: number): Promise<string> => {
      let seen = ''
      await eventually(
        async () => {
          seen = ''
          let all = true
          for (const u of users) {
            const s = await status(net.home, u)
            seen += `${u}: ${s.attachments.map((a) => (gone.has(a.peerId) ? 'GONE' : a.peerId.slice(-4))).join(',')}; `
            if (s.attachments.length < need || s.attachments.some((a) => gone.has(a.peerId))) all = false
          }
          return all ? true : undefined
        },
        need === 1 ? 15_000 : 90_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; attachments: ${seen}`)
      })
      return seen
    }
    await attachments(1)
    // …and refills its second attachment, spread out in time so the survivors are not stormed (rule 3).
    await attachments(2)

    // And the directory still holds everyone, from every side.
    await eventually(async () => ((await findsAll('user-8', users)) ? true : undefined), 20_000)
  })
})
