/** Devices in the test process, each a real account's device key and certificate, attached to a devnet. */
import { join } from 'node:path'
import type { OfflineIdentity } from '../../src/chat/offline-client.js'
import { signerOf } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { DeviceNode } from '../../src/device/node.js'
import { Profile } from '../../src/device/profile.js'
import { signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD, type Devnet } from '../../src/devnet/devnet.js'
import { createLogger } from '../../src/log/logger.js'

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
