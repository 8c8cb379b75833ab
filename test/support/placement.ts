/**
 * Where a devnet's supernodes place usernames, computed as they compute it:
 * directory/seats.ts over the members and the authority's signed v2 grant
 * list (every devnet supernode runs as the operator's account).
 */
import { AuthorityClient } from '../../src/device/authority-client.js'
import { Profile } from '../../src/device/profile.js'
import { loadIdentity } from '../../src/device/session.js'
import { SUPERNODE_OPERATOR, type Devnet, type DevnetNode } from '../../src/devnet/devnet.js'
import type { Placed } from '../../src/placement/placement.js'
import { placeMembers } from '../../src/directory/seats.js'
import { MEGA_WEIGHT } from '../../src/supernode/node.js'
import { verifySupernodeGrantList } from '../../src/trust/grants.js'
import { VERSION } from '../../src/version.js'

/** The live members' placement: `nodes` of the devnet, and `others` (weight 1) of the accounts named. */
export async function devnetPlacement(
  net: Devnet,
  nodes: readonly DevnetNode[],
  others: ReadonlyArray<{ peerId: string; username: string }> = [],
): Promise<Placed[]> {
  const bytes = await new AuthorityClient(net.authorityUrl).supernodeGrantsV2()
  const { config } = loadIdentity(new Profile(net.home, net.supernodes[0]!.name))
  const list = bytes === undefined ? undefined : verifySupernodeGrantList(bytes, config)
  const members = [
    ...nodes.map((s) => ({
      peerId: s.peerId,
      username: SUPERNODE_OPERATOR,
      weight: s.name.startsWith('mega-') ? MEGA_WEIGHT : 1,
    })),
    ...others.map((o) => ({ ...o, weight: 1 })),
  ].map((m) => ({ ...m, version: VERSION }))
  return placeMembers(members, list?.version === 2 ? (u) => list.seatOf(u) : undefined).placed
}
