/**
 * What every received event, history request and push is verified against:
 * the network's key and id, the time, and the newest revocation list we
 * hold. The key and id come from the profile's files, so they are read at
 * most every VERIFY_OPTIONS_TTL_MS; the time and the revocation check are
 * fresh on every call.
 */
import { LRUCache } from 'lru-cache'
import type { VerifyCertificateOptions } from '../trust/certificate.js'

export const VERIFY_OPTIONS_TTL_MS = 10_000

type Network = Pick<VerifyCertificateOptions, 'networkPublicKey' | 'networkId'>

export interface VerifyOptionsInit {
  /** Reads the network's key and id (from the profile's identity files). */
  network(): Network
  /** On the newest revocation list we hold. */
  isRevoked(deviceId: string): boolean
  /** Milliseconds since the epoch; Date in the service, virtual time in tests. */
  clock?: { now(): number }
}

/** The options to verify with now: the network read at most every 10 s, the time and revocations live. */
export function verifyOptions(init: VerifyOptionsInit): () => VerifyCertificateOptions {
  const clock = init.clock ?? Date
  // ttlResolution 0: read the clock on every check, not a copy cached for a millisecond of real time.
  const cache = new LRUCache<'network', Network>({
    max: 1,
    ttl: VERIFY_OPTIONS_TTL_MS,
    perf: clock,
    ttlResolution: 0,
  })
  return () => {
    let network = cache.get('network')
    if (network === undefined) {
      network = init.network()
      cache.set('network', network)
    }
    return { ...network, now: clock.now(), isRevoked: (deviceId: string) => init.isRevoked(deviceId) }
  }
}
