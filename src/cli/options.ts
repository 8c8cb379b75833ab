/** Options shared by the device commands. */
import { Option, type Command } from 'commander'
import { DEFAULT_PROFILE, parleyHome, Profile } from '../device/profile.js'

export interface DeviceOptions {
  profile: string
  home?: string
}

export function withProfile(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--profile <name>', 'device profile to use').env('PARLEY_PROFILE').default(DEFAULT_PROFILE),
    )
    .addOption(new Option('--home <dir>', 'data folder (default ~/.local/share/parley)').env('PARLEY_HOME'))
}

export function withAuthority(cmd: Command): Command {
  return cmd.addOption(
    new Option('--authority <url>', 'authority URL, e.g. http://127.0.0.1:7700').env('PARLEY_AUTHORITY'),
  )
}

export function profileOf(opts: DeviceOptions): Profile {
  return new Profile(opts.home ?? parleyHome(), opts.profile)
}
