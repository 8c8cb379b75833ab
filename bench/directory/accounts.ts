/**
 * Accounts and signed-in profiles in a devnet's home, as startDevnet makes
 * them for its own devices: register (an existing account is fine), sign in
 * with a fresh device key, keep the certificate in the profile.
 */
import { deviceIdOf, signerOf } from '../../src/crypto/keys.js'
import { AuthorityClient, AuthorityRefusedError } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { signIn } from '../../src/device/session.js'
import { DEMO_PASSWORD } from '../../src/devnet/devnet.js'
import { ErrorCode } from '../../src/wire/error-codes.js'

const CONCURRENCY = 8

/** Signs in one profile per name (username = profile name); returns each one's device id. */
export async function signInAll(
  authorityUrl: string,
  home: string,
  names: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const client = new AuthorityClient(authorityUrl)
  const ids = new Map<string, string>()
  const queue = [...names]
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      signal.throwIfAborted()
      const profile = new Profile(home, name)
      if (profile.certificate() === undefined) {
        try {
          await client.register(name, DEMO_PASSWORD)
        } catch (err) {
          if (!(err instanceof AuthorityRefusedError && err.code === ErrorCode.UsernameTaken)) throw err
        }
        await signIn({ profile, authority: authorityUrl, username: name, password: DEMO_PASSWORD, signal })
      }
      ids.set(name, deviceIdOf(signerOf(await profile.deviceKey()).publicKey))
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return ids
}
