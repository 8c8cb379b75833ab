/**
 * `parley authority migrate`: switches a network made before grants (its
 * network.json lets every account run a supernode) over to granted roles.
 * The accounts that ran supernodes keep the role: the owners of the seed
 * mega-supernodes' devices, which the authority can find, and the accounts
 * the operator names (it cannot know every account that ran a supernode).
 * Nothing changes when a named account does not exist. Each grant gets a
 * seat and a place for every device its account has signed in (docs/directory.md, "Seats").
 */
import { loadSettings, saveSettings } from './data-dir.js'
import { drawSeat } from './grants.js'
import { AuthorityFilesError } from './data-dir.js'
import type { AuthorityStore } from './store/types.js'
import { Limits } from '../wire/limits.js'

export interface GrantMigration {
  /** network.json let every account run a supernode before this run (and now does not). */
  switched: boolean
  /** Owners of the seeds' devices, granted. */
  seedOwners: string[]
  /** Every account granted by this run, the seeds' owners and the named ones. */
  granted: string[]
  /** The new network.json sequence, when it changed (the authority serves it after a restart). */
  sequence?: number
}

export async function migrateToGrants(opts: {
  dataDir: string
  store: AuthorityStore
  /** Accounts the operator names as having run supernodes. */
  grant: readonly string[]
  now: number
}): Promise<GrantMigration> {
  const settings = loadSettings(opts.dataDir)
  const unknown: string[] = []
  for (const username of opts.grant)
    if ((await opts.store.getAccount(username)) === undefined) unknown.push(username)
  if (unknown.length > 0)
    throw new AuthorityFilesError(`no account ${unknown.join(', ')}: nothing was changed`)
  const seedOwners: string[] = []
  for (const seed of settings.seeds) {
    const device = await opts.store.getDevice(seed.peerId)
    if (device !== undefined && !seedOwners.includes(device.username)) seedOwners.push(device.username)
  }
  const granted = [...new Set([...seedOwners, ...opts.grant])].sort()
  // Each with a fresh seat, and a place for every device the account has signed in: the authority cannot
  // know which of them run supernodes, and an account that ran several keeps them all placed.
  for (const username of granted) {
    if ((await opts.store.getSupernodeGrant(username)) !== undefined) continue
    const devices = (await opts.store.listDevices(username)).filter((d) => d.revokedAt === null).length
    await opts.store.grantSupernode(username, opts.now, Limits.supernodeGrants, {
      seat: drawSeat(),
      places: Math.min(Math.max(1, devices), Limits.supernodePlaces),
    })
  }
  const switched = settings.policies.defaultDevicePolicy.maySupernode
  if (!switched) return { switched, seedOwners, granted }
  const sequence = settings.sequence + 1
  saveSettings(opts.dataDir, {
    ...settings,
    sequence,
    policies: {
      ...settings.policies,
      defaultDevicePolicy: { ...settings.policies.defaultDevicePolicy, maySupernode: false },
    },
  })
  return { switched, seedOwners, granted, sequence }
}
