/** The `parley` command: one subcommand per role and per user action. */
import { Command, CommanderError } from 'commander'
import {
  devicesCommand,
  loginCommand,
  registerCommand,
  renewCommand,
  revokeCommand,
  whoamiCommand,
} from './commands/account.js'
import { authorityCommand } from './commands/authority.js'
import { chatCommands } from './commands/chat.js'
import { fileCommand } from './commands/files.js'
import { devCommand } from './commands/dev.js'
import { devnetCommand, devnetPoolCommand } from './commands/devnet.js'
import { lookupCommand, statusCommand, supernodeCommand, upCommand } from './commands/network.js'
import { VERSION } from '../version.js'
import { describeError } from './errors.js'

export function program(): Command {
  const root = new Command('parley')
    .description('Parley: peer-to-peer messaging and calls')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  for (const cmd of [
    devCommand(),
    devnetCommand(),
    authorityCommand(),
    supernodeCommand(),
    upCommand(),
    statusCommand(),
    lookupCommand(),
    registerCommand(),
    loginCommand(),
    whoamiCommand(),
    renewCommand(),
    devicesCommand(),
    revokeCommand(),
    ...chatCommands(),
    fileCommand(),
  ]) {
    for (const sub of cmd.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)')
    root.addCommand(cmd.exitOverride().showHelpAfterError('(run with --help for usage)'))
  }
  // Internal: the devnet's device pools. Not in the help.
  root.addCommand(devnetPoolCommand().exitOverride(), { hidden: true })
  return root
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv)
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
