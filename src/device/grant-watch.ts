/**
 * What a device knows of the supernode grants: the authority's signed list,
 * from its supernodes (signed-list-watch.ts). A supernode proves its role
 * with its signed announcement, whose certificate lives 7 days; the list is
 * how a device learns within the minute that the operator withdrew the
 * grant (`parley authority revoke-supernode`), so that it stops taking that
 * supernode's hints and leaves it.
 */
import type { Certificate } from '../trust/certificate.js'
import {
  issuedAfter,
  newerGrantList,
  verifySupernodeGrantList,
  type SupernodeGrantList,
} from '../trust/grants.js'
import { Protocols } from '../supernode/protocols.js'
import { GRANT_LIST_V2_ENVELOPE_BYTES } from '../wire/grants.js'
import { SignedListWatch, type SignedListWatchInit } from './signed-list-watch.js'

/** The answer: the list's envelope inside one protobuf bytes field. */
const GRANTS_RESPONSE_BYTES = GRANT_LIST_V2_ENVELOPE_BYTES + 16

type Init = Omit<
  SignedListWatchInit<SupernodeGrantList>,
  'label' | 'file' | 'protocol' | 'maxResponseBytes' | 'verify' | 'newer'
> & {
  anchor: () => { networkPublicKey: Uint8Array; networkId: string }
  /** The network's certificate lifetime, to tell a certificate issued after the list. */
  validityMs: () => number
}

/** The least time between two fetches asked for by a certificate newer than the list. */
const ON_DEMAND_MS = 10_000

export class GrantWatch extends SignedListWatch<SupernodeGrantList> {
  private readonly validityMs: () => number
  private askedAt = -Infinity

  constructor(init: Init) {
    super({
      ...init,
      label: 'supernode grant list',
      file: 'supernode-grants.bin',
      protocol: Protocols.grants,
      maxResponseBytes: GRANTS_RESPONSE_BYTES,
      verify: (bytes) => verifySupernodeGrantList(bytes, init.anchor()),
      newer: newerGrantList,
    })
    this.validityMs = init.validityMs
  }

  /**
   * Does the list name the certificate's account? With no list held (an
   * authority older than grants) the certificate's flag alone decides. A
   * certificate issued after the list carries a grant given since (only a
   * granted account gets the role in its certificate): taken, and the list
   * fetched again.
   */
  isGranted(certificate: Certificate): boolean {
    const list = this.list
    if (list === undefined || list.has(certificate.username)) return true
    if (!issuedAfter(certificate, list, this.validityMs())) return false
    const now = Date.now()
    if (now - this.askedAt >= ON_DEMAND_MS) {
      this.askedAt = now
      void this.refresh()
    }
    return true
  }
}
