/**
 * Devices in the test process, each a real account's device key and certificate, attached to a devnet;
 * and bare libp2p hosts that speak the supernode protocols by hand.
 */
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey, Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { OfflineIdentity } from '../../src/chat/offline-client.js'
import { signerOf } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity, signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import { createLogger } from '../../src/log/logger.js'
import { createDeviceHost } from '../../src/net/host.js'
import { request } from '../../src/net/rpc.js'
import { Deadlines, Protocols } from '../../src/supernode/protocols.js'
import { plain } from '../../src/wire/bytes.js'
import { AttachRequest } from '../../src/wire/generated/parley.js'
import { OverlayLimits } from '../../src/wire/limits.js'
import { decodeAttachResponse } from '../../src/wire/overlay.js'
import { VERSION } from '../../src/version.js'

export interface TestDevice {
  node: DeviceNode
  me: OfflineIdentity
}

/** Registers `username` (once) and signs a new device of it in, as profile `profile`. */
export async function signedIn(net: Devnet, username: string, profile: string): Promise<Profile> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'username_taken') throw err
  })
  const p = new Profile(net.home, profile)
  await signIn({
    profile: p,
    authority: net.authorityUrl,
    username,
    password: DEMO_PASSWORD,
    deviceName: profile,
  })
  return p
}

/** A device of `username` in this process, attached to the devnet's supernodes. */
export async function testDevice(net: Devnet, username: string, profile = username): Promise<TestDevice> {
  const p = await signedIn(net, username, profile)
  const log = createLogger('caps', { file: join(net.logDir, 'test-devices.log'), level: 'warn' })
  const node = await DeviceNode.start({
    profile: p,
    host: '127.0.0.1',
    log: log.child({ device: profile }),
    fastReattach: true,
  })
  const me = { username, certificate: () => node.certificateBytes, signer: signerOf(await p.deviceKey()) }
  return { node, me }
}

/** A supernode's listen addresses, from its status page. */
export async function addrsOf(sn: DevnetNode): Promise<Multiaddr[]> {
  const res = await fetch(`${sn.httpUrl}/v1/status`, { signal: AbortSignal.timeout(5000) })
  return ((await res.json()) as { addrs: string[] }).addrs.map((a) => multiaddr(a))
}

/** A bare libp2p host on loopback, with a fresh key or a device's; added to `hosts` for the caller to stop. */
export async function bareHost(hosts: Libp2p[], privateKey?: Ed25519PrivateKey): Promise<Libp2p> {
  const h = await createDeviceHost({
    privateKey: privateKey ?? (await generateKeyPair('Ed25519')),
    host: '127.0.0.1',
  })
  hosts.push(h)
  return h
}

/** A new device of `username` asks `sn` to attach from a bare host with its own key: the host and the answer. */
export async function attachBare(
  net: Devnet,
  sn: DevnetNode,
  hosts: Libp2p[],
  username: string,
  profile: string,
): Promise<{ host: Libp2p; result: number; code: string }> {
  const p = await signedIn(net, username, profile)
  const h = await bareHost(hosts, await p.deviceKey())
  const payload = AttachRequest.encode({
    certificate: plain(loadIdentity(p).certificate.bytes),
    version: VERSION,
  })
  const answer = decodeAttachResponse(
    await request(h, await addrsOf(sn), Protocols.attach, payload, {
      timeoutMs: Deadlines.attachMs,
      maxResponseBytes: OverlayLimits.attachBytes,
    }),
  )
  return { host: h, result: answer.result, code: answer.code }
}
