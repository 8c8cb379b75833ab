/**
 * A small devnet for the chat attacks (one mega-supernode, two supernodes, no
 * TURN): users signed in, their `parley up` processes started and restarted
 * by profile, the CLI as a user types it, and each device's log.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js'
import { api, conversation, signIn, up } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { run, tempDir, type Daemon } from '../support/process.js'

export interface ChatNet {
  readonly net: Devnet
  start: (profile: string) => Promise<void>
  stop: (profile: string) => Promise<void>
  /** `parley <args> --profile <profile>`, as the user types it. */
  parley: (profile: string, ...args: string[]) => ReturnType<typeof run>
  /** Lines of a profile's device log (node.log, across restarts) that name `text`. */
  logLines: (profile: string, text: string) => string[]
  /** Waits until `text` from `peer` is in `profile`'s conversation with them. */
  arrives: (profile: string, peer: string, text: string) => Promise<void>
}

/** Starts the devnet before the calling file's tests, signs `users` in and starts `upUsers`. */
export function useHostileChatNet(users: string[], upUsers: string[]): ChatNet {
  const dir = tempDir('parley-hostile-chat-')
  const devices = new Map<string, Daemon>()
  let net: Devnet | undefined
  const devnet = (): Devnet => {
    if (net === undefined) throw new Error('the devnet is not up')
    return net
  }

  const self: ChatNet = {
    get net() {
      return devnet()
    },
    start: async (profile) => {
      devices.set(profile, await up(devnet(), profile, ['--away-after', '0']))
      await eventually(async () => {
        const s = await api<{ attachments: unknown[] }>(devnet().home, profile, '/v1/status')
        return s.attachments.length >= 2 || undefined
      }, 30_000)
    },
    stop: async (profile) => {
      await devices.get(profile)?.stop()
      devices.delete(profile)
    },
    parley: (profile, ...args) =>
      run([...args, '--profile', profile], { env: { PARLEY_HOME: devnet().home } }),
    logLines: (profile, text) =>
      readFileSync(join(devnet().home, 'profiles', profile, 'node.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(text)),
    arrives: async (profile, peer, text) => {
      await eventually(
        async () =>
          (await conversation(devnet().home, profile, peer)).some((m) => m.text === text) || undefined,
        30_000,
      )
    },
  }

  beforeAll(async () => {
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true, turn: false })
    for (const user of users) await signIn(net, user, user)
    for (const user of upUsers) await self.start(user)
  }, 180_000)

  afterAll(async () => {
    for (const d of devices.values()) await d.stop('SIGKILL')
    await net?.stop()
    // PARLEY_KEEP=1 keeps the devnet's folder (profiles, logs) to look into a failure.
    if (process.env.PARLEY_KEEP === undefined) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  return self
}
