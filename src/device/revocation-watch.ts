/**
 * What a device knows of revocations: the signed list from its supernodes
 * (signed-list-watch.ts). The device checks it on every event, history
 * request, push and seal, and learns from it that it was itself revoked.
 */
import { Protocols } from '../supernode/protocols.js'
import { newerList, verifyRevocationList, type RevocationList } from '../trust/revocations.js'
import { REVOCATIONS_RESPONSE_BYTES } from '../wire/revocations.js'
import { SignedListWatch, type SignedListWatchInit } from './signed-list-watch.js'

export { LIST_POLL_MS as REVOCATION_POLL_MS } from './list-poller.js'

type Init = Omit<
  SignedListWatchInit<RevocationList>,
  'label' | 'file' | 'protocol' | 'maxResponseBytes' | 'verify' | 'newer'
> & { anchor: () => { networkPublicKey: Uint8Array; networkId: string } }

export class RevocationWatch extends SignedListWatch<RevocationList> {
  constructor(init: Init) {
    super({
      ...init,
      label: 'revocation list',
      file: 'revocations.bin',
      protocol: Protocols.revocations,
      maxResponseBytes: REVOCATIONS_RESPONSE_BYTES,
      verify: (bytes) => verifyRevocationList(bytes, init.anchor()),
      newer: newerList,
    })
  }

  isRevoked(deviceId: string): boolean {
    return this.list?.has(deviceId) === true
  }
}
