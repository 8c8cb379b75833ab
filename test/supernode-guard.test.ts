/**
 * What a supernode refuses, on real processes: a full supernode answers busy
 * and the device attaches elsewhere; forged, expired and revoked certificates
 * and records are refused; malformed and oversized frames close the stream
 * and nothing else.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeKey, generateKey, signerOf, type Signer } from '../src/crypto/keys.js'
import { Profile } from '../src/device/profile.js'
import { loadIdentity, signIn } from '../src/device/session.js'
import { startDevnet, DEMO_PASSWORD, type Devnet } from '../src/devnet/devnet.js'
import { createDeviceHost, type DeviceHost } from '../src/net/host.js'
import { request } from '../src/net/rpc.js'
import { Protocols } from '../src/supernode/protocols.js'
import { issueCertificate } from '../src/trust/certificate.js'
import { PresenceStatus, signPresence } from '../src/trust/presence.js'
import { VERSION } from '../src/version.js'
import { plain } from '../src/wire/bytes.js'
import {
  AttachRequest,
  AttachResult,
  decodeAttachResponse,
  decodeDirectoryResponse,
  DirectoryKind,
  DirectoryRequest,
  DirectoryResult,
} from '../src/wire/overlay.js'
import { eventually, metric, status } from './support/devnet.js'
import { run, tempDir } from './support/process.js'

const dir = tempDir('parley-guard-')
let net: Devnet
let host: DeviceHost
const users = ['user-1', 'user-2', 'user-3']

beforeAll(async () => {
  // Capacity 2 everywhere: the three devices all try the mega-supernode first, so one is turned away.
  net = await startDevnet({
    dir: dir.path,
    megas: 1,
    supernodes: 3,
    devices: 3,
    capacity: 2,
    revocationRefreshS: 1,
    fastReattach: true,
  })
  host = await createDeviceHost({ privateKey: await generateKey(), host: '127.0.0.1' })
}, 180_000)

afterAll(async () => {
  await host?.stop()
  await net?.stop()
  dir.remove()
})

const mega = () => net.supernodes[0]!
const megaAddrs = async () => {
  const s = (await (await fetch(`${mega().httpUrl}/v1/status`)).json()) as { addrs: string[] }
  return s.addrs.map((a) => multiaddr(a))
}

async function attachAt(node: DeviceHost, addrs: Multiaddr[], certificate: Uint8Array) {
  const bytes = await request(
    node,
    addrs,
    Protocols.attach,
    AttachRequest.encode({ certificate: plain(certificate), version: VERSION }),
    {
      timeoutMs: 5000,
      maxResponseBytes: 8192,
    },
  )
  return decodeAttachResponse(bytes)
}

async function attachAs(node: DeviceHost, certificate: Uint8Array, version = VERSION) {
  const bytes = await request(
    node,
    await megaAddrs(),
    Protocols.attach,
    AttachRequest.encode({ certificate: plain(certificate), version }),
    {
      timeoutMs: 5000,
      maxResponseBytes: 8192,
    },
  )
  return decodeAttachResponse(bytes)
}

/** A new account with one signed-in device, as a bare libp2p host holding the device's key. */
async function newDevice(username: string, profileName: string) {
  const profile = new Profile(net.home, profileName)
  await fetch(`${net.authorityUrl}/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  const cert = await signIn({ profile, authority: net.authorityUrl, username, password: DEMO_PASSWORD })
  const node = await createDeviceHost({ privateKey: await profile.deviceKey(), host: '127.0.0.1' })
  return { cert, node }
}

function networkKey(): Signer {
  return signerOf(decodeKey(readFileSync(join(dir.path, 'authority', 'network.key'))))
}

describe('admission', () => {
  it('a full supernode answers busy and the device attaches elsewhere; no supernode goes past its capacity', async () => {
    const mine = mega().peerId
    // Every device is served; at least one of them by a supernode other than the full mega-supernode.
    await eventually(async () => {
      let elsewhere = 0
      for (const u of users) {
        const s = await status(net.home, u)
        if (s.attachments.length < 1) return undefined
        if (s.attachments.some((a) => a.peerId !== mine)) elsewhere++
      }
      return elsewhere > 0 ? true : undefined
    }, 45_000)
    let busy = 0
    for (const s of net.supernodes) {
      const st = (await (await fetch(`${s.httpUrl}/v1/status`)).json()) as { load: number; capacity: number }
      expect(st.load).toBeLessThanOrEqual(2)
      busy += await metric(s.httpUrl!, 'parley_supernode_attach_total{result="busy"}')
    }
    // Every device's cache started with the mega-supernode alone: the third to reach it was turned away.
    expect(busy).toBeGreaterThan(0)
  })
})

describe('certificates at attach time', () => {
  it("refuses another device's certificate", async () => {
    const theirs = loadIdentity(new Profile(net.home, 'user-1')).certificate.bytes
    const answer = await attachAs(host, theirs)
    expect(answer.result).toBe(AttachResult.Refused)
    expect(answer.code).toBe('proof_failed')
  })

  it('refuses expired, forged and not-yet-valid certificates, each with its code', async () => {
    const me = signerOf(await generateKey())
    const hostKey = await generateKey()
    const node = await createDeviceHost({ privateKey: hostKey, host: '127.0.0.1' })
    try {
      const body = {
        networkId: 'parley-devnet',
        serial: 999n,
        username: 'mallory',
        devicePublicKey: hostKey.publicKey.raw,
        deviceName: 'm',
        policy: { maySupernode: true, mayRelay: true, maySendFiles: true },
        organisation: '',
      }
      const now = Date.now()
      const expired = issueCertificate(
        { ...body, notBefore: now - 2 * 3600_000, notAfter: now - 3600_000 },
        networkKey(),
      )
      const future = issueCertificate(
        { ...body, notBefore: now + 3600_000, notAfter: now + 7200_000 },
        networkKey(),
      )
      const forged = issueCertificate({ ...body, notBefore: now - 1000, notAfter: now + 3600_000 }, me)
      expect((await attachAs(node, expired)).code).toBe('certificate_expired')
      expect((await attachAs(node, future)).code).toBe('certificate_not_yet_valid')
      expect((await attachAs(node, forged)).code).toBe('unknown_signer')
    } finally {
      await node.stop()
    }
  })

  it("refuses a device older than the network's minimum, and tells it which versions and to upgrade", async () => {
    // New networks start at 0.2.0 (seats): a release before it gets no offline service, so it is not taken;
    // today's version with the same certificate is (attached, or busy with hints: the mega-supernode is small).
    const { cert, node } = await newDevice('oldtimer', 'old-timer')
    try {
      const old = await attachAs(node, cert.bytes, '0.1.0')
      expect(old.result).toBe(AttachResult.Refused)
      expect(old.code).toBe('version_banned')
      expect(old.message).toBe(
        "Parley 0.1.0 is older than this network's minimum, 0.2.0: upgrade Parley to attach",
      )
      expect((await attachAs(node, cert.bytes)).result).not.toBe(AttachResult.Refused)
    } finally {
      await node.stop()
    }
  })

  it('refuses a revoked device within seconds of its revocation', async () => {
    const { cert, node } = await newDevice('revokee', 'to-revoke')
    try {
      expect((await attachAs(node, cert.bytes)).result).not.toBe(AttachResult.Refused)
      const token = readFileSync(join(dir.path, 'authority', 'admin-token'), 'utf8').trim()
      const res = await fetch(`${net.authorityUrl}/v1/admin/devices/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ deviceId: cert.deviceId }),
      })
      expect(res.status).toBe(200)
      const refused = await eventually(async () => {
        const a = await attachAs(node, cert.bytes)
        return a.result === AttachResult.Refused ? a : undefined
      }, 10_000)
      expect(refused.code).toBe('certificate_revoked')
    } finally {
      await node.stop()
    }
  })
})

describe('roles', () => {
  it('a device whose certificate forbids the supernode role never becomes one', async () => {
    const profile = new Profile(net.home, 'no-supernode')
    const key = await profile.deviceKey()
    const now = Date.now()
    const cert = issueCertificate(
      {
        networkId: 'parley-devnet',
        serial: 4242n,
        username: 'plainuser',
        devicePublicKey: key.publicKey.raw,
        deviceName: 'laptop',
        policy: { maySupernode: false, mayRelay: false, maySendFiles: true },
        organisation: '',
        notBefore: now - 1000,
        notAfter: now + 3600_000,
      },
      networkKey(),
    )
    profile.saveCertificate(cert)
    profile.saveNetworkConfig(new Profile(net.home, 'user-1').networkConfig()!)
    profile.saveSettings({ authority: net.authorityUrl, username: 'plainuser', deviceName: 'laptop' })
    const res = await run(['supernode', '--profile', 'no-supernode'], { env: { PARLEY_HOME: net.home } })
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/does not allow the supernode role/)
  })
})

describe('records', () => {
  it('refuses publishing before attaching, a record signed by another key, and an expired one', async () => {
    const profile = new Profile(net.home, 'mallory')
    await fetch(`${net.authorityUrl}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'mallory', password: DEMO_PASSWORD }),
    })
    const cert = await signIn({
      profile,
      authority: net.authorityUrl,
      username: 'mallory',
      password: DEMO_PASSWORD,
    })
    const node = await createDeviceHost({ privateKey: await profile.deviceKey(), host: '127.0.0.1' })
    const me = signerOf(await profile.deviceKey())
    const record = (certificate: Uint8Array, expiresAt: number) =>
      signPresence(
        { certificate, addrs: [], status: PresenceStatus.ONLINE, sequence: Date.now(), expiresAt },
        me,
      )
    const publish = async (addrs: Multiaddr[], bytes: Uint8Array) =>
      decodeDirectoryResponse(
        await request(
          node,
          addrs,
          Protocols.directory,
          DirectoryRequest.encode({ kind: DirectoryKind.Publish, records: [plain(bytes)], username: '' }),
          {
            timeoutMs: 5000,
            maxResponseBytes: 1 << 18,
          },
        ),
      )
    try {
      // Not attached to the full mega-supernode: it refuses to publish for a stranger.
      expect((await publish(await megaAddrs(), record(cert.bytes, Date.now() + 60_000))).code).toBe(
        'unauthorized',
      )

      // Attached to a supernode with room, a record signed by another key and an expired one are refused.
      let home: Multiaddr[] | undefined
      for (const s of net.supernodes) {
        const st = (await (await fetch(`${s.httpUrl}/v1/status`)).json()) as { addrs: string[] }
        const addrs = st.addrs.map((a) => multiaddr(a))
        if ((await attachAt(node, addrs, cert.bytes)).result === AttachResult.Attached) {
          home = addrs
          break
        }
      }
      if (home === undefined) throw new Error('no supernode had room for mallory')
      const alice = loadIdentity(new Profile(net.home, 'user-1')).certificate.bytes
      const forged = await publish(home, record(alice, Date.now() + 60_000))
      expect(forged.result).toBe(DirectoryResult.Refused)
      expect(forged.code).toBe('unknown_signer')
      const expired = await publish(home, record(cert.bytes, Date.now() - 1))
      expect(expired.code).toBe('record_expired')
      expect((await publish(home, record(cert.bytes, Date.now() + 60_000))).result).toBe(DirectoryResult.Ok)
    } finally {
      await node.stop()
    }
  })
})

describe('bad frames', () => {
  it('malformed and oversized frames close that stream and nothing else', async () => {
    const before = await metric(mega().httpUrl!, 'parley_supernode_stream_errors_total')
    const addrs = await megaAddrs()
    const garbage = new Uint8Array(200).map((_, i) => (i * 37) & 0xff)
    await expect(
      request(host, addrs, Protocols.attach, garbage, { timeoutMs: 3000, maxResponseBytes: 8192 }),
    ).rejects.toThrow()
    await expect(
      request(host, addrs, Protocols.directory, new Uint8Array(300 * 1024), {
        timeoutMs: 3000,
        maxResponseBytes: 8192,
      }),
    ).rejects.toThrow()
    await expect(
      request(host, addrs, Protocols.membership, garbage, { timeoutMs: 3000, maxResponseBytes: 8192 }),
    ).rejects.toThrow()
    expect(await metric(mega().httpUrl!, 'parley_supernode_stream_errors_total')).toBeGreaterThanOrEqual(
      before + 3,
    )
    // The supernode still serves: health, and a real device's lookup through it.
    expect((await fetch(`${mega().httpUrl}/health`)).status).toBe(200)
    expect(mega().child.process.exitCode).toBeNull()
    const r = await fetch(`${mega().httpUrl}/v1/status`)
    expect(r.status).toBe(200)
  })
})
