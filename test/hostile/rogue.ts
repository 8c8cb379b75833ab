/**
 * What the hostile tests share: an account the operator grants the supernode
 * role (whose supernode then goes rogue), and offline items as an attacker
 * would make them, sealed to nobody in particular.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { expect } from 'vitest'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { DEMO_PASSWORD, type Devnet } from '../../src/devnet/devnet.js'
import { plain } from '../../src/wire/bytes.js'
import type { SealedItem } from '../../src/wire/chat.js'
import { run } from '../support/process.js'

/** Random bytes, as the wire codecs want them. */
export const rnd = (n: number) => plain(new Uint8Array(randomBytes(n)))

/** An item of random bytes for `recipient`, one copy for `deviceId`, unsigned (its deposit is empty). */
export function junkItem(recipient: string, deviceId: string, size = 300): SealedItem {
  return {
    id: rnd(16),
    recipient,
    sender: '',
    storedAt: 0n,
    nonce: rnd(24),
    ciphertext: rnd(size),
    copies: [{ deviceId, ephemeral: rnd(32), wrapped: rnd(72) }],
    deposit: new Uint8Array(0),
  }
}

/** Registers `username` and has the operator grant it the supernode role, as a real operator would. */
export async function grantedAccount(net: Devnet, devnetDir: string, username = 'mallory'): Promise<void> {
  await new AuthorityClient(net.authorityUrl).register(username, DEMO_PASSWORD)
  const granted = await run(
    ['authority', 'grant-supernode', username, '--data-dir', join(devnetDir, 'authority')],
    { env: { PARLEY_HOME: net.home } },
  )
  expect([granted.code, granted.stderr]).toEqual([0, ''])
}
