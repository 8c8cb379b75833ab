/**
 * The operator's supernode grants: `parley authority grant-supernode`,
 * `revoke-supernode`, `supernode-grants` and `migrate`. They open the
 * authority's store themselves (the data folder, or DATABASE_URL), so they
 * work whether or not the authority runs; a running authority serves the
 * changed grant list at once, and supernodes fetch it within a minute.
 */
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { AuthorityError } from '../../authority/errors.js'
import { loadAuthorityFiles, SQLITE_FILE } from '../../authority/data-dir.js'
import { migrateToGrants } from '../../authority/grants-migrate.js'
import { grantJson, SupernodeGrants } from '../../authority/grants.js'
import { openStore } from '../../authority/store/index.js'
import type { AuthorityStore } from '../../authority/store/types.js'
import { signerOf } from '../../crypto/keys.js'
import { USERNAME_PATTERN } from '../../wire/fields.js'
import { Limits } from '../../wire/limits.js'
import { CliError, UsageError } from '../errors.js'

interface StoreOptions {
  dataDir?: string
  databaseUrl?: string
}

const databaseUrlOption = (): Option =>
  new Option('--database-url <url>', 'PostgreSQL URL; without it, SQLite in the data folder').env(
    'DATABASE_URL',
  )

function username(text: string): string {
  if (!USERNAME_PATTERN.test(text))
    throw new UsageError(`"${text}" is not a username (3–32 of a-z 0-9 . _ -)`)
  return text
}

/** Opens the authority's store and grant rules for one command, and closes the store after it. */
async function withGrants<T>(
  opts: StoreOptions,
  defaultDir: string,
  work: (grants: SupernodeGrants, store: AuthorityStore, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = opts.dataDir ?? defaultDir
  const files = loadAuthorityFiles(dataDir)
  const url = opts.databaseUrl === '' ? undefined : opts.databaseUrl
  const store = openStore({ databaseUrl: url, sqlitePath: join(dataDir, SQLITE_FILE) })
  try {
    await store.migrate()
    const grants = new SupernodeGrants({
      store,
      signer: signerOf(files.networkKey),
      settings: files.settings,
      now: Date.now,
    })
    return await work(grants, store, dataDir)
  } catch (err) {
    if (err instanceof AuthorityError) throw new CliError(`${err.message} [${err.code}]`)
    throw err
  } finally {
    await store.close()
  }
}

const placesText = (places: number): string => (places === 1 ? '1 place' : `${places} places`)

const STILL_OPEN =
  'note: this network still lets every account run a supernode; `parley authority migrate` switches it to grants'

export function addGrantCommands(cmd: Command, dataDirOption: () => Option, defaultDir: () => string): void {
  const sub = (name: string) => cmd.command(name).addOption(dataDirOption()).addOption(databaseUrlOption())
  const optsOf = (self: Command) =>
    self.optsWithGlobals<StoreOptions & { grant?: string; json?: boolean; places?: string }>()

  sub('grant-supernode')
    .description(
      "let an account run supernodes: its devices' next certificates carry the role (parley supernode renews at start), and supernodes accept its announcements",
    )
    .argument('<username>', 'the account')
    .option(
      '--places <n>',
      'how many of its supernodes are placed on the directory ring (default 1; granting again changes only this)',
    )
    .action(async (name: string, _opts: unknown, self: Command) => {
      const opts = optsOf(self)
      const places = opts.places === undefined ? undefined : Number(opts.places)
      if (
        places !== undefined &&
        !(Number.isInteger(places) && places >= 1 && places <= Limits.supernodePlaces)
      )
        throw new UsageError(`--places must be a whole number from 1 to ${Limits.supernodePlaces}`)
      await withGrants(opts, defaultDir(), async (grants) => {
        const g = await grants.grant(username(name), places)
        console.log(
          `${g.username} may run supernodes (granted ${new Date(g.grantedAt).toISOString()}, ${placesText(g.places)})`,
        )
        if (grants.open) console.log(STILL_OPEN)
      })
    })

  sub('revoke-supernode')
    .description(
      "withdraw an account's supernode role: within a minute every supernode stops accepting its supernodes, whatever their certificates say",
    )
    .argument('<username>', 'the account')
    .action(async (name: string, _opts: unknown, self: Command) => {
      await withGrants(optsOf(self), defaultDir(), async (grants) => {
        const revoked = await grants.revoke(username(name))
        console.log(
          revoked
            ? `${name} may no longer run supernodes; supernodes drop it within a minute`
            : `${name} did not hold the supernode role`,
        )
        if (grants.open) console.log(STILL_OPEN)
      })
    })

  sub('supernode-grants')
    .description('list the accounts that may run supernodes')
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, self: Command) => {
      const opts = optsOf(self)
      await withGrants(opts, defaultDir(), async (grants) => {
        const list = await grants.list()
        const sequence = await grants.sequence()
        if (opts.json === true) {
          console.log(JSON.stringify({ open: grants.open, sequence, grants: list.map(grantJson) }, null, 2))
          return
        }
        for (const g of list)
          console.log(
            `${g.username.padEnd(32)}  ${new Date(g.grantedAt).toISOString()}  ${placesText(g.places)}`,
          )
        console.log(`${list.length} account(s) granted; list sequence ${sequence}`)
        if (grants.open) console.log(STILL_OPEN)
      })
    })

  sub('migrate')
    .description(
      'switch a network made before grants (network.json: maySupernode true) to granted supernode roles; grants the role to the owners of the seed mega-supernodes and to --grant accounts',
    )
    .option(
      '--grant <usernames>',
      'comma-separated accounts that ran supernodes (the authority cannot know them all)',
    )
    .action(async (_opts: unknown, self: Command) => {
      const opts = optsOf(self)
      const named = (opts.grant ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== '')
        .map(username)
      await withGrants(opts, defaultDir(), async (_grants, store, dataDir) => {
        const result = await migrateToGrants({ dataDir, store, grant: named, now: Date.now() })
        if (result.seedOwners.length > 0)
          console.log(`owners of the seed mega-supernodes: ${result.seedOwners.join(', ')}`)
        console.log(
          result.granted.length > 0
            ? `granted the supernode role to: ${result.granted.join(', ')}`
            : 'granted the supernode role to nobody',
        )
        console.log(
          result.switched
            ? `network.json no longer lets every account run a supernode (sequence ${result.sequence}); restart the authority to serve it`
            : 'network.json already grants the supernode role only by grant-supernode',
        )
      })
    })
}
