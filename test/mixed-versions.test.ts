/**
 * One devnet, two builds. Issue 10 changed many protocols, each change a new
 * payload type or protocol beside the old one, so that old and new nodes work
 * side by side. Here the release before it (e6cbff4, bundled in
 * test/fixtures) and today's build run as real processes on 127.0.0.1, and
 * the network is upgraded while it runs, in the order docs/offline.md gives:
 * the authority, then devices, then supernodes.
 *
 * 1. The old network: authority, a mega-supernode (the operator's) and a
 *    supernode (a volunteer's account), all e6cbff4.
 * 2. The authority: `parley authority migrate --grant volunteer` on the old
 *    folder grants the accounts that ran supernodes; today's authority serves it.
 * 3. Devices of both builds on the old supernodes: a new device attaches to
 *    both (the seed vouches for the other), old and new find each other, chat
 *    both ways and leave each other offline messages both ways; the old one
 *    leaves one for a device that stays away through step 4.
 * 4. The supernodes: a new one, granted, joins the old ones in one mesh and
 *    takes the held item by repair; old and new devices still find each other
 *    and chat; each old supernode is restarted on today's build and keeps what
 *    it held, and the item is delivered.
 * 5. The device left behind (e6cbff4 on today's supernodes): it still finds
 *    and reaches the others, but cannot fetch what waits for it offline (it
 *    cannot sign the grant today's supernodes ask for); upgraded last, it
 *    keeps its history and gets all of it.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { api, conversation, send } from './support/chat.js'
import { eventually, lookup } from './support/devnet.js'
import { MixedNet } from './support/mixed-net.js'

const net = new MixedNet()

afterAll(async () => {
  await net.stop()
})

/** Waits until `to`'s conversation with `from` holds `text`. */
const arrives = (to: string, from: string, text: string) =>
  eventually(
    async () => (await conversation(net.home, to, from)).some((m) => m.text === text) || undefined,
    30_000,
  )

/** Waits until `profile`'s outbox is empty: each event pushed to a device or held by a supernode. */
const sent = (profile: string) =>
  eventually(
    async () =>
      (await api<{ pending: number }>(net.home, profile, '/v1/chat/outbox')).pending === 0 || undefined,
    20_000,
  )

/** The device ids `from`'s lookup of `username` finds. */
const finds = (from: string, username: string) =>
  eventually(
    async () => {
      const { body } = await lookup(net.home, from, username)
      if (body.error !== undefined) throw new Error(`${body.error.code}: ${body.error.message}`)
      const ids = body.devices.map((d) => d.deviceId)
      return ids.length > 0 ? ids : undefined
    },
    20_000,
    250,
    `${from} finds ${username}`,
  )

const peerOf = (profile: string) => net.devices.get(profile)?.peerId

/** a asks, b accepts, a sees it. */
async function contacts(a: string, b: string): Promise<void> {
  await api(net.home, a, `/v1/chat/contacts/${b}`, { greeting: `hi ${b}, ${a} here` })
  await eventually(async () => {
    const r = await api<{ requests: { username: string }[] }>(net.home, b, '/v1/chat/requests')
    return r.requests.some((x) => x.username === a) || undefined
  }, 20_000)
  await api(net.home, b, `/v1/chat/contacts/${a}/accept`, {})
  await eventually(async () => {
    const r = await api<{ contacts: { username: string; state: string }[] }>(net.home, a, '/v1/chat/contacts')
    return r.contacts.some((c) => c.username === b && c.state === 'accepted') || undefined
  }, 20_000)
}

/** Each finds the other, and a message goes each way. */
async function chatBothWays(a: string, b: string, text: string): Promise<void> {
  expect(await finds(b, a)).toEqual([peerOf(a)])
  expect(await finds(a, b)).toEqual([peerOf(b)])
  await send(net.home, a, b, `${text}: ${a} to ${b}`)
  await send(net.home, b, a, `${text}: ${b} to ${a}`)
  await arrives(b, a, `${text}: ${a} to ${b}`)
  await arrives(a, b, `${text}: ${b} to ${a}`)
}

/** `profile` is away while `from` sends it `text`, which a supernode then holds. */
async function leave(from: string, profile: string, text: string): Promise<void> {
  await net.down(profile)
  await send(net.home, from, profile, text)
  await sent(from)
}

describe('a network upgraded from e6cbff4 while it runs', () => {
  it('the old network: an authority, a mega-supernode and a volunteer supernode of e6cbff4', async () => {
    await net.initAuthority('old', ['mega-1'])
    await net.startAuthority('old')
    await Promise.all([net.signIn('old', 'mega-1', 'operator'), net.signIn('old', 'sn-1', 'volunteer')])
    await net.startSupernode('mega-1', 'old')
    await net.startSupernode('sn-1', 'old')
    await net.wholeMesh(20_000)
  })

  it('the authority: migrate grants the role to the accounts that ran supernodes', async () => {
    await net.stopAuthority()
    const migrated = await net.parley(
      'new',
      'authority',
      'migrate',
      '--data-dir',
      net.authorityDir,
      '--grant',
      'volunteer',
    )
    expect(migrated.stdout).toContain('owners of the seed mega-supernodes: operator')
    expect(migrated.stdout).toContain('granted the supernode role to: operator, volunteer')
    await net.startAuthority('new')
  })

  it('devices of both builds on the old supernodes: they find each other, chat, and leave offline messages both ways', async () => {
    await Promise.all([
      net.signIn('old', 'alice', 'alice'),
      net.signIn('new', 'bob', 'bob'),
      net.signIn('new', 'dave', 'dave'),
    ])
    await Promise.all([net.up('alice', 'old'), net.up('bob', 'new'), net.up('dave', 'new')])
    // A new device takes no unsigned hint but a seed's: it learns the old sn-1 from mega-1.
    for (const profile of ['bob', 'dave'])
      await eventually(async () => {
        const s = await api<{ attachments: unknown[] }>(net.home, profile, '/v1/status')
        return s.attachments.length === 2 || undefined
      }, 20_000)
    await Promise.all([contacts('alice', 'bob'), contacts('dave', 'alice')])
    await chatBothWays('alice', 'bob', 'old supernodes')

    // bob is back soon; dave stays away while the supernodes are upgraded.
    await Promise.all([net.down('bob'), net.down('dave')])
    await send(net.home, 'alice', 'bob', 'old to new, while you were away')
    await send(net.home, 'alice', 'dave', 'left before the supernodes were upgraded')
    await sent('alice')
    // Through old supernodes a new device fetches and deposits again without the fields they refuse.
    await net.up('bob', 'new')
    await arrives('bob', 'alice', 'old to new, while you were away')
    await leave('bob', 'alice', 'new to old, while you were away')
    await net.up('alice', 'old')
    await arrives('alice', 'bob', 'new to old, while you were away')
  }, 90_000)

  it('the supernodes: one mesh of both builds, then all of today; the held item is repaired, kept and delivered', async () => {
    // A new account's supernode, granted as an operator does it now (the admin API of grant-supernode);
    // it renews its certificate at start to carry the role.
    await net.signIn('new', 'sn-2', 'newcomer')
    await net.grantSupernode('newcomer')
    await net.startSupernode('sn-2', 'new')
    expect(Object.fromEntries(await net.wholeMesh(30_000))).toEqual({
      'mega-1': ['sn-1', 'sn-2'],
      'sn-1': ['mega-1', 'sn-2'],
      'sn-2': ['mega-1', 'sn-1'],
    })
    // Every supernode is one of dave's 3 replicas: the old ones push the unsigned item stored before sn-2 ran.
    await eventually(async () => ((await net.status('sn-2')).offlineItems > 0 ? true : undefined), 20_000)
    await chatBothWays('alice', 'bob', 'mixed supernodes')

    for (const name of ['sn-1', 'mega-1']) {
      await net.stopSupernode(name)
      await net.startSupernode(name, 'new')
      expect((await net.status(name)).offlineItems).toBeGreaterThan(0)
    }
    await net.wholeMesh(30_000)
    await net.up('dave', 'new')
    await arrives('dave', 'alice', 'left before the supernodes were upgraded')
  }, 90_000)

  it("the device left behind: on today's supernodes it still finds and reaches the others; upgraded last, it gets what waited for it", async () => {
    expect(await finds('bob', 'alice')).toEqual([peerOf('alice')])
    expect(await finds('alice', 'bob')).toEqual([peerOf('bob')])
    await send(net.home, 'alice', 'bob', 'new supernodes: alice to bob')
    await arrives('bob', 'alice', 'new supernodes: alice to bob')
    // What bob leaves for alice offline waits for her upgrade: she cannot sign the grant to fetch it.
    await leave('bob', 'alice', 'for after your upgrade')
    await net.up('alice', 'new')
    await arrives('alice', 'bob', 'for after your upgrade')
    const history = (await conversation(net.home, 'alice', 'bob')).map((m) => m.text)
    expect(history).toContain('old supernodes: alice to bob')
    expect(history).toContain('new to old, while you were away')
  })
})
