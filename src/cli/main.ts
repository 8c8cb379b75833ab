/**
 * The `parley` command: one subcommand per role and per user action. Only
 * the module of the command asked for is loaded (the roles load libp2p, the
 * web server and SQLite; `parley send` or `--help` needs none of them), and
 * all of them for the overall help or a command nobody knows.
 */
import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { describeError } from './errors.js'

type Commands = () => Promise<Command[]>

const account: Commands = async () => {
  const m = await import('./commands/account.js')
  return [
    m.registerCommand(),
    m.loginCommand(),
    m.whoamiCommand(),
    m.renewCommand(),
    m.devicesCommand(),
    m.revokeCommand(),
  ]
}
const chat: Commands = async () => (await import('./commands/chat.js')).chatCommands()
const roles: Commands = async () => {
  const m = await import('./commands/network.js')
  return [m.supernodeCommand(), m.upCommand()]
}
const queries: Commands = async () => {
  const m = await import('./commands/status.js')
  return [m.statusCommand(), m.lookupCommand()]
}

/** Each module's commands, in the order the help lists them. */
const MODULES: Array<{ names: string[]; load: Commands }> = [
  { names: ['dev'], load: async () => [(await import('./commands/dev.js')).devCommand()] },
  { names: ['devnet'], load: async () => [(await import('./commands/devnet.js')).devnetCommand()] },
  { names: ['authority'], load: async () => [(await import('./commands/authority.js')).authorityCommand()] },
  { names: ['supernode', 'up'], load: roles },
  { names: ['status', 'lookup'], load: queries },
  { names: ['register', 'login', 'whoami', 'renew', 'devices', 'revoke'], load: account },
  {
    names: ['link', 'contacts', 'add', 'requests', 'accept', 'decline', 'block', 'remove', 'send', 'history'],
    load: chat,
  },
  { names: ['search', 'chat'], load: chat },
  { names: ['file'], load: async () => [(await import('./commands/files.js')).fileCommand()] },
]

/** The program with what the first argument `name` needs: its module's commands, or every module's. */
export async function program(name?: string): Promise<Command> {
  const root = new Command('parley')
    .description('Parley: peer-to-peer messaging and calls')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  const wanted = MODULES.filter((m) => name !== undefined && m.names.includes(name))
  // The version needs no command at all.
  const all = name === '--version' || name === '-V' ? [] : MODULES
  const loads = [...new Set((wanted.length > 0 ? wanted : all).map((m) => m.load))]
  for (const commands of await Promise.all(loads.map((load) => load()))) {
    for (const cmd of commands) {
      for (const sub of cmd.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)')
      root.addCommand(cmd.exitOverride().showHelpAfterError('(run with --help for usage)'))
    }
  }
  if (name === 'devnet-pool') {
    // Internal: the devnet's device pools. Not in the help.
    const { devnetPoolCommand } = await import('./commands/devnet.js')
    root.addCommand(devnetPoolCommand().exitOverride(), { hidden: true })
  }
  return root
}

async function main(): Promise<void> {
  const stats = process.env.PARLEY_RPC_STATS
  if (stats !== undefined && stats !== '') (await import('../net/rpc-stats.js')).writeRpcStats(stats)
  try {
    await (await program(process.argv[2])).parseAsync(process.argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help, the version or the usage error.
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    const { message, exitCode } = describeError(err)
    console.error(`parley: ${message}`)
    process.exitCode = exitCode
  }
}

await main()
