/**
 * `parley dev` (the README's `npm start`): a whole local network on loopback
 * with embedded defaults: the authority, one mega-supernode, three
 * supernodes, and the demo devices alice and bob, each its own process.
 * Data and logs persist in --dir and are reused on the next run.
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { Command } from 'commander'
import { DEMO_PASSWORD, startDevnet } from '../../devnet/devnet.js'
import { onShutdown } from '../shutdown.js'
import { introduce, signInLink } from '../../devnet/introduce.js'

export const DEMO_USERS = ['alice', 'bob'] as const

export function devCommand(): Command {
  return new Command('dev')
    .description('run a local Parley network with demo users alice and bob (what `npm start` runs)')
    .option('--dir <dir>', 'where the network keeps its data and logs', '.parley-dev')
    .option('--authority-port <port>', "the authority's port", '7700')
    .action(async (opts: { dir: string; authorityPort: string }) => {
      const net = await startDevnet({
        dir: resolve(opts.dir),
        megas: 1,
        supernodes: 3,
        namedDevices: [...DEMO_USERS],
        authorityPort: Number(opts.authorityPort),
        onProgress: (line) => console.log(`… ${line}`),
      })
      onShutdown(() => net.stop())
      const contacts = await introduce(net.home, 'alice', 'bob').catch(() => false)
      const shown = (path: string): string => {
        const rel = relative(process.cwd(), path)
        return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
      }
      const home = shown(net.home)
      console.log('')
      console.log(`Parley local network (data in ${opts.dir}, logs in ${shown(net.logDir)})`)
      console.log(`  authority   ${net.authorityUrl}`)
      for (const s of net.supernodes)
        console.log(`  ${s.name.padEnd(10)}  ${s.peerId}  metrics ${s.httpUrl ?? ''}/metrics`)
      for (const d of net.devices)
        console.log(`  ${d.name.padEnd(10)}  ${d.peerId}  (password: ${DEMO_PASSWORD})`)
      console.log('')
      console.log('Open in a browser (one link per user, each works once; `parley link` makes new ones):')
      for (const d of net.devices) {
        const url = await signInLink(net.home, d.name).catch(() => undefined)
        if (url !== undefined) console.log(`  ${d.name.padEnd(10)}  ${url}`)
      }
      console.log('')
      console.log('Try, in another terminal:')
      console.log(`  PARLEY_HOME=${home} npx parley status --profile alice`)
      console.log(`  PARLEY_HOME=${home} npx parley lookup bob --profile alice --reach`)
      if (contacts) {
        console.log(
          `  PARLEY_HOME=${home} npx parley chat bob --profile alice     (alice and bob are contacts)`,
        )
        console.log(`  PARLEY_HOME=${home} npx parley send alice "hi" --profile bob`)
      }
      console.log(`  npx parley register <username> --authority ${net.authorityUrl}`)
      console.log('Ctrl-C stops everything.')
    })
}
