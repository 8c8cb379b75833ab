/**
 * Supernode grants through the authority's HTTP API in-process: a new network
 * grants the role to nobody; the operator's grant puts the role in the next
 * certificate and the account on the signed list; a withdrawal takes it off
 * the list with a higher sequence. A network from before grants signs no list
 * until `parley authority migrate` switches it over.
 */
import { signInProof } from '../trust/sign-in-proof.js'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../crypto/keys.js'
import { verifyCertificate } from '../trust/certificate.js'
import { verifySupernodeGrantList } from '../trust/grants.js'
import { fromBase64, toBase64 } from '../wire/bytes.js'
import { ADMIN_TOKEN_FILE, initAuthority, loadSettings, saveSettings } from './data-dir.js'
import { migrateToGrants } from './grants-migrate.js'
import { Limits } from '../wire/limits.js'
import { buildAuthority, type BuiltAuthority } from './server.js'

const PASSWORD = 'a long enough password'
const FAST = {
  passwordCost: { N: 2 ** 10, r: 8, p: 1 },
  rates: {
    perUser: '1000/1s',
    perAddress: '1000/1s',
    registrations: '1000/1s',
    challenges: '1000/1s',
    renewals: '1000/1s',
  },
  log: pino({ level: 'silent' }),
  clientAddress: () => '127.0.0.1',
}

interface Running {
  dir: string
  networkId: string
  authority: BuiltAuthority
  token: string
}

async function start(networkId: string, edit?: (dir: string) => void): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-grants-'))
  await initAuthority(dir, networkId)
  edit?.(dir)
  const authority = await buildAuthority({ dataDir: dir, ...FAST })
  return { dir, networkId, authority, token: readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim() }
}

async function stop(r: Running | undefined): Promise<void> {
  await r?.authority.store.close()
  if (r !== undefined) rmSync(r.dir, { recursive: true, force: true })
}

async function call(r: Running, method: string, path: string, body?: unknown, admin = false) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (admin) headers.authorization = `Bearer ${r.token}`
  const res = await r.authority.app.fetch(
    new Request(`http://authority${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Registers `username` and signs a new device in; returns the certificate's policy. */
async function signIn(r: Running, username: string, device: Signer) {
  await call(r, 'POST', '/v1/accounts', { username, password: PASSWORD })
  const challenge = fromBase64((await call(r, 'POST', '/v1/challenges', {})).body.challenge, 64)!
  const proof = signInProof(device, r.networkId, username, challenge)
  const res = await call(r, 'POST', '/v1/sign-in', {
    username,
    password: PASSWORD,
    deviceName: 'server',
    devicePublicKey: toBase64(device.publicKey),
    challenge: toBase64(challenge),
    proof: toBase64(proof),
  })
  expect(res.status).toBe(200)
  const cert = verifyCertificate(fromBase64(res.body.certificate, 4096)!, {
    networkPublicKey: r.authority.service.networkPublicKey,
    networkId: r.networkId,
    now: Date.now(),
  })
  return cert.policy
}

async function grantList(r: Running, version: 1 | 2 = 1) {
  const res = await call(r, 'GET', `/v${version}/supernode-grants`)
  expect(res.status).toBe(200)
  const list = verifySupernodeGrantList(fromBase64(res.body.list, 2 << 20)!, {
    networkPublicKey: r.authority.service.networkPublicKey,
    networkId: r.networkId,
  })
  expect(list.version).toBe(version)
  return list
}

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'))

const newDevice = async () => signerOf(await generateKey())

describe('a new network', () => {
  let r: Running | undefined
  beforeAll(async () => {
    r = await start('grants-new')
  })
  afterAll(() => stop(r))

  it('grants the supernode role to nobody by default', async () => {
    expect((await signIn(r!, 'plain', await newDevice())).maySupernode).toBe(false)
    const list = await grantList(r!)
    expect(list.grants).toEqual([])
    expect(list.has('plain')).toBe(false)
  })

  it('puts a granted account on the signed list and the role in its next certificate; a withdrawal takes both back', async () => {
    expect((await signIn(r!, 'carol', await newDevice())).maySupernode).toBe(false)
    const before = (await grantList(r!)).sequence
    const granted = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'carol' }, true)
    expect(granted.status).toBe(200)
    expect(granted.body.username).toBe('carol')
    const listed = await grantList(r!)
    expect(listed.has('carol')).toBe(true)
    expect(listed.sequence).toBeGreaterThan(before)
    expect((await signIn(r!, 'carol', await newDevice())).maySupernode).toBe(true)
    const admin = await call(r!, 'GET', '/v1/admin/supernode-grants', undefined, true)
    const seat = hex((await grantList(r!, 2)).seatOf('carol')?.seat)
    expect(seat).toMatch(/^[0-9a-f]{32}$/)
    expect(admin.body.grants).toContainEqual({
      username: 'carol',
      grantedAt: expect.any(Number) as number,
      places: 1,
      seat,
    })

    const revoked = await call(r!, 'POST', '/v1/admin/supernode-grants/revoke', { username: 'carol' }, true)
    expect(revoked.body).toEqual({ username: 'carol', revoked: true })
    const after = await grantList(r!)
    expect(after.has('carol')).toBe(false)
    expect(after.sequence).toBeGreaterThan(listed.sequence)
    expect((await signIn(r!, 'carol', await newDevice())).maySupernode).toBe(false)
  })

  it('signs v2 beside v1 at the same sequence, with each grant’s seat and places', async () => {
    await signIn(r!, 'fleet', await newDevice())
    await signIn(r!, 'solo', await newDevice())
    const fleet = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'fleet', places: 3 }, true)
    expect(fleet.body).toMatchObject({ username: 'fleet', places: 3 })
    await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'solo' }, true)
    const [v1, v2] = [await grantList(r!, 1), await grantList(r!, 2)]
    expect(v2.sequence).toBe(v1.sequence)
    expect(v2.grants.map((g) => g.username)).toEqual(v1.grants.map((g) => g.username))
    expect(v1.seatOf('fleet')).toBeUndefined()
    const [a, b] = [v2.seatOf('fleet')!, v2.seatOf('solo')!]
    expect([a.places, b.places]).toEqual([3, 1])
    expect(a.seat).toHaveLength(16)
    expect(hex(a.seat)).not.toBe(hex(b.seat))
    expect(hex(a.seat)).toBe(fleet.body.seat)
  })

  it('changes only the places when granting again; a withdrawal and a new grant draw a new seat', async () => {
    await signIn(r!, 'dora', await newDevice())
    await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'dora' }, true)
    const first = await grantList(r!, 2)
    const seat = hex(first.seatOf('dora')?.seat)
    const more = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'dora', places: 2 }, true)
    expect(more.body).toMatchObject({ places: 2, seat })
    const second = await grantList(r!, 2)
    expect(second.sequence).toBeGreaterThan(first.sequence)
    expect(second.seatOf('dora')?.places).toBe(2)
    // Granting again without places is no change at all.
    await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'dora' }, true)
    expect((await grantList(r!, 2)).sequence).toBe(second.sequence)
    expect(hex((await grantList(r!, 2)).seatOf('dora')?.seat)).toBe(seat)

    await call(r!, 'POST', '/v1/admin/supernode-grants/revoke', { username: 'dora' }, true)
    await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'dora' }, true)
    const redrawn = (await grantList(r!, 2)).seatOf('dora')!
    expect(hex(redrawn.seat)).not.toBe(seat)
    expect(redrawn.places).toBe(1)

    for (const places of [0, -1, 1.5, Limits.supernodePlaces + 1, '2']) {
      const bad = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'dora', places }, true)
      expect(bad.status).toBe(400)
      expect((bad.body.error as { code: string }).code).toBe('invalid_field')
    }
  })

  it('refuses grants without the admin token, and to accounts that do not exist', async () => {
    const anonymous = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'plain' })
    expect(anonymous.status).toBe(401)
    expect((anonymous.body.error as { code: string }).code).toBe('unauthorized')
    expect((await call(r!, 'GET', '/v1/admin/supernode-grants')).status).toBe(401)
    const ghost = await call(r!, 'POST', '/v1/admin/supernode-grants', { username: 'nobody-here' }, true)
    expect(ghost.status).toBe(404)
    expect((ghost.body.error as { code: string }).code).toBe('account_not_found')
    expect((await grantList(r!)).has('plain')).toBe(false)
  })
})

describe('a network from before grants (network.json: maySupernode true)', () => {
  let r: Running | undefined
  const open = (dir: string) => {
    const s = loadSettings(dir)
    s.policies.defaultDevicePolicy.maySupernode = true
    saveSettings(dir, s)
  }
  afterAll(() => stop(r))

  it('signs no grant list and keeps the role in every certificate until migrated', async () => {
    r = await start('grants-old', open)
    const seedKey = await newDevice()
    expect((await signIn(r, 'operator', seedKey)).maySupernode).toBe(true)
    expect((await signIn(r, 'runner', await newDevice())).maySupernode).toBe(true)
    expect((await signIn(r, 'bystander', await newDevice())).maySupernode).toBe(true)
    for (const path of ['/v1/supernode-grants', '/v2/supernode-grants']) {
      const none = await call(r, 'GET', path)
      expect(none.status).toBe(404)
      expect((none.body.error as { code: string }).code).toBe('not_found')
    }

    // migrate: the seed's owner and the named account keep the role, the sequence goes up.
    const settings = loadSettings(r.dir)
    saveSettings(r.dir, {
      ...settings,
      seeds: [{ peerId: deviceIdOf(seedKey.publicKey), addrs: ['/ip4/127.0.0.1/tcp/4001'] }],
    })
    const sequence = loadSettings(r.dir).sequence
    const result = await migrateToGrants({
      dataDir: r.dir,
      store: r.authority.store,
      grant: ['runner'],
      now: Date.now(),
    })
    expect(result).toEqual({
      switched: true,
      seedOwners: ['operator'],
      granted: ['operator', 'runner'],
      sequence: sequence + 1,
    })
    expect(loadSettings(r.dir).policies.defaultDevicePolicy.maySupernode).toBe(false)
    await expect(
      migrateToGrants({ dataDir: r.dir, store: r.authority.store, grant: ['ghost-user'], now: Date.now() }),
    ).rejects.toThrow(/no account ghost-user/)

    // The restarted authority serves the list and gives the role to the granted accounts only.
    await r.authority.store.close()
    r.authority = await buildAuthority({ dataDir: r.dir, ...FAST })
    const list = await grantList(r)
    expect(list.grants.map((g) => g.username)).toEqual(['operator', 'runner'])
    // Each with a seat, and a place per device it had signed in (the authority cannot know which run supernodes).
    const v2 = await grantList(r, 2)
    expect(v2.seatOf('operator')?.places).toBe(1)
    expect(v2.seatOf('runner')?.places).toBe(1)
    expect(hex(v2.seatOf('operator')?.seat)).not.toBe(hex(v2.seatOf('runner')?.seat))
    expect((await signIn(r, 'bystander', await newDevice())).maySupernode).toBe(false)
    expect((await signIn(r, 'runner', await newDevice())).maySupernode).toBe(true)
  })
})
