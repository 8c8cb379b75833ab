/**
 * The supernode's libp2p protocols, each served with its own request cap and
 * the one handler deadline: membership, attach, directory, TURN credentials,
 * offline store, and the revocation and grant lists (each alone, and both in one). Streams that fail are
 * counted per protocol and logged at debug: a peer that hangs up is routine.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Logger } from '../log/logger.js'
import type { Refusals } from '../log/refusals.js'
import { serve } from '../net/rpc.js'
import { ChatLimits, TurnLimits } from '../wire/chat.js'
import { OverlayLimits } from '../wire/limits.js'
import { SIGNED_LISTS_REQUEST_BYTES } from '../wire/signed-lists.js'
import type { AttachService } from './attach-service.js'
import type { DirectoryService } from './directory-service.js'
import type { MembershipAdapter } from './membership-adapter.js'
import type { SupernodeMetrics } from './metrics.js'
import type { OfflineService } from './offline-service.js'
import { Deadlines, Protocols } from './protocols.js'
import { RevocationService } from './revocation-service.js'
import { SignedListsService } from './signed-lists-service.js'
import type { TrustState } from './trust-state.js'
import type { TurnService } from './turn-service.js'

export interface Endpoints {
  node: Libp2p
  adapter: MembershipAdapter
  attach: AttachService
  directory: DirectoryService
  turn: TurnService
  offline: OfflineService
  trust: TrustState
  /** Attached here, or a member of the mesh: who may ask for the lists. */
  isAttached: (peerId: string) => boolean
  isMember: (peerId: string) => boolean
  refusals: Refusals
  metrics: SupernodeMetrics
  log: Logger
}

export async function serveEndpoints(e: Endpoints): Promise<void> {
  const { node } = e
  const onError = (protocol: string) => (err: unknown) => {
    e.metrics.streamErrors.inc({ protocol })
    e.log.debug({ protocol, err: (err as Error).message }, 'stream failed')
  }
  await serve(node, Protocols.membership, (p, c) => Promise.resolve(e.adapter.handle(p, c)), {
    maxRequestBytes: OverlayLimits.membershipBytes,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('membership'),
  })
  await e.attach.serve(node, onError('attach'))
  await serve(node, Protocols.directory, (p, c) => e.directory.handle(p, c), {
    maxRequestBytes: OverlayLimits.directoryBytes,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('directory'),
  })
  await serve(node, Protocols.turn, (p, c) => Promise.resolve(e.turn.handle(p, c)), {
    maxRequestBytes: TurnLimits.requestBytes,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('turn'),
  })
  await serve(node, Protocols.offline, (p, c) => e.offline.handle(p, c), {
    maxRequestBytes: ChatLimits.offlineBytes,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('offline'),
  })
  const mayAskGrants = (peer: string): boolean => e.isAttached(peer) || e.isMember(peer)
  // A revoked device may ask too: that is how it learns it was signed out, and by whom.
  const mayAskRevocations = (peer: string): boolean =>
    mayAskGrants(peer) || e.trust.revocations?.has(peer) === true
  const revocations = new RevocationService({
    list: () => e.trust.revocations,
    mayAsk: mayAskRevocations,
    refusals: e.refusals,
  })
  await serve(node, Protocols.revocations, (p, c) => Promise.resolve(revocations.handle(p, c)), {
    maxRequestBytes: 16,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('revocations'),
  })
  const grants = new RevocationService({
    kind: 'grants',
    list: () => e.trust.grants,
    mayAsk: mayAskGrants,
    refusals: e.refusals,
  })
  await serve(node, Protocols.grants, (p, c) => Promise.resolve(grants.handle(p, c)), {
    maxRequestBytes: 16,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('grants'),
  })
  const lists = new SignedListsService({
    revocations: () => e.trust.revocations,
    grants: () => e.trust.grants,
    mayAskRevocations,
    mayAskGrants,
    refusals: e.refusals,
  })
  await serve(node, Protocols.lists, (p, c) => Promise.resolve(lists.handle(p, c)), {
    maxRequestBytes: SIGNED_LISTS_REQUEST_BYTES,
    timeoutMs: Deadlines.handlerMs,
    onError: onError('lists'),
  })
}
