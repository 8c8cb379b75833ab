/**
 * `parley dev` (the README's `npm start`): a local Parley network on loopback
 * with embedded defaults. For now: the authority, and the demo users alice and
 * bob signed in on their own device profiles. Data persists in --dir.
 */
import { join, relative } from 'node:path'
import { Command } from 'commander'
import { initAuthority, isInitialised } from '../../authority/files.js'
import { startAuthority } from '../../authority/server.js'
import { AuthorityClient, AuthorityRefusedError } from '../../device/authority-client.js'
import { Profile } from '../../device/profile.js'
import { signIn } from '../../device/session.js'
import { createLogger } from '../../log/logger.js'
import { ErrorCode } from '../../wire/error-codes.js'
import { parseListen } from './authority.js'
import { onShutdown } from '../shutdown.js'

export const DEMO_USERS = ['alice', 'bob'] as const
export const DEMO_PASSWORD = 'parley-demo-password'

export function devCommand(): Command {
  return new Command('dev')
    .description('run a local Parley network with demo users alice and bob (what `npm start` runs)')
    .option('--dir <dir>', 'where the network keeps its data and logs', '.parley-dev')
    .option('--listen <host:port>', "the authority's address", '127.0.0.1:7700')
    .action(async (opts: { dir: string; listen: string }) => {
      const authorityDir = join(opts.dir, 'authority')
      const home = join(opts.dir, 'home')
      if (!isInitialised(authorityDir)) await initAuthority(authorityDir, 'parley-dev')
      const log = createLogger('authority', { file: join(opts.dir, 'logs', 'authority.log') })
      const { host, port } = parseListen(opts.listen)
      const authority = await startAuthority({ dataDir: authorityDir, host, port, log })
      onShutdown(async () => {
        await authority.close()
        log.flush()
      })

      for (const user of DEMO_USERS) await ensureDemoUser(authority.url, new Profile(home, user))

      const rel = relative(process.cwd(), home) || '.'
      console.log(`Parley local network "${authority.networkId}" (data and logs in ${opts.dir})`)
      console.log(`  authority   ${authority.url}   (store: ${authority.store})`)
      console.log(`  demo users  ${DEMO_USERS.join(', ')}   (password: ${DEMO_PASSWORD})`)
      console.log('')
      console.log('Try, in another terminal:')
      console.log(`  PARLEY_HOME=${rel} npx parley whoami --profile alice`)
      console.log(`  npx parley register <username> --authority ${authority.url}`)
      console.log('')
      console.log('Supernodes and the web client arrive with the next issues. Ctrl-C stops everything.')
    })
}

async function ensureDemoUser(authority: string, profile: Profile): Promise<void> {
  if (profile.certificate() !== undefined) return
  try {
    await new AuthorityClient(authority).register(profile.name, DEMO_PASSWORD)
  } catch (err) {
    if (!(err instanceof AuthorityRefusedError && err.code === ErrorCode.UsernameTaken)) throw err
  }
  await signIn({
    profile,
    authority,
    username: profile.name,
    password: DEMO_PASSWORD,
    deviceName: `${profile.name}-demo`,
  })
}
