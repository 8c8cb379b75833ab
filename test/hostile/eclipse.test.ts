/**
 * M1 on real processes: a rogue supernode (an account the operator granted
 * the role, gone bad) tries to eclipse a device through its attach answers.
 * Before the fix the device took every hint on the supernode's word: forged
 * hosts entered its host cache (as megas, never evicted), its own supernodes
 * could be pointed at the rogue's address or dropped from the cache by one
 * "complete" list. Now every hint must be its author's signed announcement
 * with the supernode role, checked by the device before the host cache sees
 * it; an old-style plain answer (attach 1.0.0, which the rogue falls back to)
 * teaches nothing; and the device still attaches to honest supernodes and
 * finds its contacts.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Connection } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HostEntry } from '../../src/attach/host-cache.js'
import { deviceIdOf, generateKey, signerOf, type Signer } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { spawnParley, type Child } from '../../src/devnet/children.js'
import { DEMO_PASSWORD, startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { boundAddrs, createDeviceHost, type DeviceHost } from '../../src/net/host.js'
import { serve } from '../../src/net/rpc.js'
import { Protocols } from '../../src/supernode/protocols.js'
import { signAnnouncement } from '../../src/trust/announcement.js'
import { issueCertificate } from '../../src/trust/certificate.js'
import { VERSION } from '../../src/version.js'
import { plain } from '../../src/wire/bytes.js'
import { decodeEnvelope, SignedEnvelope } from '../../src/wire/codec.js'
import { OverlayLimits } from '../../src/wire/limits.js'
import { Announcement, AttachAnswer, AttachResponse, AttachResult } from '../../src/wire/overlay.js'
import { eventually, lookup, status } from '../support/devnet.js'
import { run, tempDir } from '../support/process.js'

/** The attach protocol with proofs (docs/attachment.md); spelled out so this test also runs against older code. */
const ATTACH_SIGNED = '/parley/attach/1.1.0'

const dir = tempDir('parley-hostile-eclipse-')
let net: Devnet
let rogue: DeviceHost | undefined
let victim: Child | undefined

/** What the rogue answered, and to whom. */
const served: Array<{ protocol: string; peer: string }> = []
/** Peer ids that exist only in the rogue's forged hints. */
const forgedIds: string[] = []
/** When false the rogue no longer speaks 1.1.0: it downgrades to plain hints. */
let speaksSigned = true

const env = () => ({ PARLEY_HOME: net.home, PARLEY_LOG_DIR: net.logDir })
const profileDir = (name: string) => join(net.home, 'profiles', name)
const hostsOf = (name: string) =>
  JSON.parse(readFileSync(join(profileDir(name), 'hosts.json'), 'utf8')) as HostEntry[]
const supernodeAddrs = async (httpUrl: string) =>
  (
    (await (await fetch(`${httpUrl}/v1/status`, { signal: AbortSignal.timeout(5000) })).json()) as {
      addrs: string[]
    }
  ).addrs

async function account(username: string, profile: string): Promise<void> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD)
  await signIn({
    profile: new Profile(net.home, profile),
    authority: net.authorityUrl,
    username,
    password: DEMO_PASSWORD,
    deviceName: profile,
  })
}

const announce = (certificate: Uint8Array, addrs: string[], signer: Signer) =>
  signAnnouncement(
    {
      certificate,
      addrs,
      capacity: 100_000,
      load: 0,
      version: VERSION,
      incarnation: Date.now(),
      metricsUrl: '',
    },
    signer,
  )

/** A signed announcement with its body changed after signing (a higher incarnation): the signature no longer fits. */
function altered(signed: Uint8Array): Uint8Array {
  const env = decodeEnvelope(signed)
  const body = Announcement.decode(env.payload)
  const payload = Announcement.encode({ ...body, incarnation: body.incarnation + 1n })
  return SignedEnvelope.encode({ ...env, payload: plain(payload) })
}

/** A supernode certificate for a fresh key, issued by a network key of the rogue's own making. */
async function selfMadeSupernode(addrs: string[]): Promise<{ id: string; announcement: Uint8Array }> {
  const fakeNetwork = signerOf(await generateKey())
  const key = signerOf(await generateKey())
  const networkId = loadIdentity(new Profile(net.home, 'victim')).config.networkId
  const cert = issueCertificate(
    {
      networkId,
      serial: 1n,
      username: 'operator',
      devicePublicKey: key.publicKey,
      deviceName: 'not-a-supernode',
      policy: { maySupernode: true, mayRelay: true, maySendFiles: true },
      organisation: '',
      notBefore: Date.now() - 60_000,
      notAfter: Date.now() + 86_400_000,
    },
    fakeNetwork,
  )
  return { id: deviceIdOf(key.publicKey), announcement: announce(cert, addrs, key) }
}

beforeAll(async () => {
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 2,
    devices: 1,
    devicesPerPool: 1,
    fastReattach: true,
    turn: false,
  })
  await eventually(
    async () => ((await status(net.home, 'user-1')).attachments.length >= 2 ? true : undefined),
    60_000,
  )

  // The rogue: an account the operator granted the supernode role.
  await account('rogue', 'rogue-sn')
  const granted = await run(
    ['authority', 'grant-supernode', 'rogue', '--data-dir', join(dir.path, 'authority')],
    {
      env: env(),
    },
  )
  expect(granted.code).toBe(0)
  const rogueProfile = new Profile(net.home, 'rogue-sn')
  await signIn({
    profile: rogueProfile,
    authority: net.authorityUrl,
    username: 'rogue',
    password: DEMO_PASSWORD,
    deviceName: 'rogue-sn',
  })
  const rogueIdentity = loadIdentity(rogueProfile)
  expect(rogueIdentity.certificate.policy.maySupernode).toBe(true)
  const rogueKey = await rogueProfile.deviceKey()
  rogue = await createDeviceHost({ privateKey: rogueKey, host: '127.0.0.1' })
  const rogueId = rogue.peerId.toString()
  const rogueAddrs = boundAddrs(rogue)
  const own = announce(rogueIdentity.certificate.bytes, rogueAddrs, signerOf(rogueKey))

  // An ordinary account (no supernode role) and the victim.
  await account('mallory', 'mallory-dev')
  await account('victim', 'victim')
  const mallory = new Profile(net.home, 'mallory-dev')
  const malloryId = loadIdentity(mallory).certificate.deviceId
  const honest = net.supernodes.filter((s) => !s.name.startsWith('mega-'))
  const stolen = loadIdentity(new Profile(net.home, honest[0]!.name)).certificate.bytes
  const selfMade = await Promise.all([0, 1, 2].map(() => selfMadeSupernode(rogueAddrs)))
  forgedIds.push(malloryId, ...selfMade.map((s) => s.id))

  const signedHints = [
    // Unsigned: an announcement body with no envelope and no signature.
    Announcement.encode({
      certificate: plain(stolen),
      addrs: rogueAddrs,
      capacity: 100_000,
      load: 0,
      version: VERSION,
      incarnation: BigInt(Date.now()),
      metricsUrl: '',
    }),
    // Signed by an account the operator never granted the role.
    announce(loadIdentity(mallory).certificate.bytes, rogueAddrs, signerOf(await mallory.deviceKey())),
    // An honest supernode's certificate, the rogue's addresses, the rogue's signature.
    announce(stolen, rogueAddrs, signerOf(rogueKey)),
    // The rogue's own announcement, altered after signing.
    altered(own),
    // Certificates from a network key of the rogue's own making.
    ...selfMade.map((s) => s.announcement),
  ]
  const plainHints = [
    ...forgedIds.map((peerId) => ({ peerId, addrs: rogueAddrs, load: 0, capacity: 100_000, mega: true })),
    ...honest.map((s) => ({ peerId: s.peerId, addrs: rogueAddrs, load: 0, capacity: 100_000, mega: true })),
  ]
  const common = { result: AttachResult.Attached, code: '', message: '', load: 0, capacity: 100_000 }
  await serve(
    rogue,
    Protocols.attach,
    (_p, c: Connection) => {
      served.push({ protocol: Protocols.attach, peer: c.remotePeer.toString() })
      return Promise.resolve(AttachResponse.encode({ ...common, configSequence: 0n, hints: plainHints }))
    },
    { maxRequestBytes: OverlayLimits.attachBytes, timeoutMs: 5000 },
  )
  await serve(
    rogue,
    ATTACH_SIGNED,
    (_p, c: Connection) => {
      if (!speaksSigned) return Promise.reject(new Error('downgraded'))
      served.push({ protocol: ATTACH_SIGNED, peer: c.remotePeer.toString() })
      return Promise.resolve(
        AttachAnswer.encode({
          ...common,
          configSequence: 0n,
          announcement: plain(own),
          hints: signedHints.map(plain),
        }),
      )
    },
    { maxRequestBytes: OverlayLimits.attachBytes, timeoutMs: 5000 },
  )

  // The victim knew the rogue and the honest supernodes; the honest ones are held off for now
  // (a failed dial each), so its first two attachments are the rogue and the mega seed.
  const now = Date.now()
  const known: HostEntry[] = [
    {
      peerId: rogueId,
      addrs: rogueAddrs,
      load: 0,
      capacity: 100_000,
      mega: false,
      lastSeen: now,
      failures: 0,
      retryAt: 0,
    },
    ...(await Promise.all(
      honest.map(async (s) => ({
        peerId: s.peerId,
        addrs: await supernodeAddrs(s.httpUrl!),
        load: 0,
        capacity: 800,
        mega: false,
        lastSeen: now,
        failures: 1,
        retryAt: now + 600_000,
      })),
    )),
  ]
  writeFileSync(join(profileDir('victim'), 'hosts.json'), JSON.stringify(known))
  victim = await startVictim()
}, 240_000)

afterAll(async () => {
  await victim?.stop()
  await rogue?.stop()
  await net?.stop()
  dir.remove()
})

const victimId = () => victim?.ready[1] ?? ''
const answersToVictim = () => served.filter((s) => s.peer === victimId())

/** Nothing the rogue forged is in the victim's host cache, and its own supernodes keep their addresses. */
function cacheUntouched(): void {
  const hosts = hostsOf('victim')
  const ids = hosts.map((h) => h.peerId)
  expect(ids.filter((id) => forgedIds.includes(id))).toEqual([])
  const rogueAddrs = boundAddrs(rogue!)
  for (const s of net.supernodes) {
    const entry = hosts.find((h) => h.peerId === s.peerId)
    expect(entry, `${s.name} is still known`).toBeDefined()
    expect(
      entry!.addrs.filter((a) => rogueAddrs.includes(a)),
      `${s.name}'s addresses`,
    ).toEqual([])
    expect(entry!.mega).toBe(s.name.startsWith('mega-'))
  }
  expect(hosts.filter((h) => h.mega).map((h) => h.peerId)).toEqual(
    net.supernodes.filter((s) => s.name.startsWith('mega-')).map((s) => s.peerId),
  )
}

const logLines = (code: string) =>
  readFileSync(join(net.logDir, 'victim.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('supernode hints refused') && l.includes(`"code":"${code}"`))

/** The victim's cache was saved after `t` (it saves 5 s after a change, and when it stops). */
const savedAfter = (t: number) =>
  eventually(
    () => Promise.resolve(statSync(join(profileDir('victim'), 'hosts.json')).mtimeMs > t ? true : undefined),
    30_000,
  )

const startVictim = () =>
  spawnParley('victim', ['up', '--profile', 'victim', '--fast-reattach'], /device (\S+) up/, {
    logDir: net.logDir,
    env: env(),
  })

describe('a rogue supernode answering attach requests with forged hints', () => {
  it('does not get them into the host cache; the device keeps its supernodes and finds its contacts', async () => {
    // The rogue's first answer (the attachment itself), then the cache as saved after it.
    await eventually(() => Promise.resolve(answersToVictim().length >= 1 ? true : undefined), 60_000)
    await savedAfter(Date.now())
    cacheUntouched()

    // Still attached to an honest supernode, and a contact is found through it.
    const st = await status(net.home, 'victim')
    const honestIds = net.supernodes.map((s) => s.peerId)
    expect(st.attachments.filter((a) => honestIds.includes(a.peerId)).length).toBeGreaterThanOrEqual(1)
    const found = await eventually(async () => {
      const r = await lookup(net.home, 'victim', 'user-1')
      return r.status === 200 && r.body.devices.length === 1 ? r : undefined
    }, 20_000)
    expect(found.body.devices[0]?.deviceName).toBe('user-1')

    // Asked again by the refreshes: each kind of forgery refused with its code, logged once.
    await eventually(() => Promise.resolve(answersToVictim().length >= 3 ? true : undefined), 60_000)
    await savedAfter(Date.now())
    cacheUntouched()
    for (const code of ['malformed', 'policy_forbids', 'unknown_signer', 'bad_signature'])
      expect(
        logLines(code).filter((l) => l.includes(rogue!.peerId.toString())),
        code,
      ).toHaveLength(1)
  }, 180_000)

  it('downgrading to plain hints (attach 1.0.0) teaches a restarted device nothing either', async () => {
    speaksSigned = false
    await rogue!.unhandle(ATTACH_SIGNED)
    await victim!.stop()
    victim = await startVictim()
    const before = answersToVictim().length
    await eventually(() => Promise.resolve(answersToVictim().length > before ? true : undefined), 60_000)
    expect(answersToVictim().slice(before)[0]?.protocol).toBe(Protocols.attach)
    await victim.stop()
    victim = undefined
    cacheUntouched()
    expect(logLines('unsigned_hint')).toHaveLength(1)
  }, 120_000)
})
