/**
 * The device's check of what an attach answer claims (docs/attachment.md,
 * "Trust"): each hint, and the answering supernode itself, must be a signed
 * announcement that verifies offline against the network key: a certificate
 * from this network, valid now, with the supernode role, signed by the
 * certificate's device key, from a version the config does not ban.
 *
 * The grant list and revocations are the newest the device holds, fetched
 * from its supernodes (grant-watch.ts, revocation-watch.ts). What a device
 * cannot check offline: lists it has not been given yet, whether the
 * addresses are reachable, and whether the load figure is true.
 */
import type { HostHint } from '../attach/host-cache.js'
import type { Logger } from '../log/logger.js'
import { verifyAnnouncement, type SupernodeAnnouncement } from '../trust/announcement.js'
import type { Certificate } from '../trust/certificate.js'
import { TrustError } from '../trust/errors.js'
import type { NetworkConfig } from '../trust/network-config.js'
import { ErrorCode } from '../wire/error-codes.js'

export interface ProofOptions {
  config: NetworkConfig
  now: number
  /** Revocations the device holds, if any. */
  isRevoked?: (deviceId: string, serial: bigint) => boolean
  /** The grant list the device holds, if any. */
  isGranted?: (certificate: Certificate) => boolean
}

/** Verifies one signed announcement as a supernode's proof of its role; throws TrustError. */
export function checkAnnouncement(bytes: Uint8Array, opts: ProofOptions): SupernodeAnnouncement {
  return verifyAnnouncement(bytes, {
    networkPublicKey: opts.config.networkPublicKey,
    networkId: opts.config.networkId,
    now: opts.now,
    bannedVersions: opts.config.policies.supernodeBannedVersions,
    ...(opts.config.minClientVersion === '' ? {} : { minClientVersion: opts.config.minClientVersion }),
    ...(opts.isRevoked === undefined ? {} : { isRevoked: opts.isRevoked }),
    ...(opts.isGranted === undefined ? {} : { isGranted: opts.isGranted }),
  })
}

/** A verified announcement as a host cache hint: never a mega (only the signed config makes one). */
export function hintOf(a: SupernodeAnnouncement): HostHint {
  return {
    peerId: a.peerId,
    addrs: a.addrs,
    load: a.load,
    capacity: a.capacity,
    mega: false,
    incarnation: a.incarnation,
  }
}

export interface CheckedHints {
  hints: HostHint[]
  /** Why each refused hint was refused, by code. */
  refused: Map<string, number>
}

export function checkHints(list: readonly Uint8Array[], opts: ProofOptions): CheckedHints {
  const out: CheckedHints = { hints: [], refused: new Map() }
  for (const bytes of list) {
    try {
      out.hints.push(hintOf(checkAnnouncement(bytes, opts)))
    } catch (err) {
      if (!(err instanceof TrustError)) throw err
      out.refused.set(err.code, (out.refused.get(err.code) ?? 0) + 1)
    }
  }
  return out
}

/** Plain hints (attach 1.0.0) carry no proof: all are refused. */
export function refusePlain(count: number): Map<string, number> {
  return new Map(count > 0 ? [[ErrorCode.UnsignedHint, count]] : [])
}

/** A plain hint as attach 1.0.0 carries it. */
export interface PlainHint {
  peerId: string
  addrs: string[]
  load: number
  capacity: number
}

/**
 * Plain hints from `from`, a supernode older than signed hints: refused,
 * except a seed's. The seeds are named by the network key in the signed
 * config (the Noise handshake proved `from`), so their word is the
 * operator's: while the supernodes are still old it is how a new device
 * learns any supernode but the seeds (without it every upgraded device would
 * crowd onto the seeds, and find nowhere else when they are busy). Taken as
 * any verified hint is (hints.ts: at most 4 new per answer), never as megas.
 */
export function checkPlainHints(
  from: string,
  list: readonly PlainHint[],
  config: NetworkConfig,
): CheckedHints {
  if (!config.seeds.some((s) => s.peerId === from)) return { hints: [], refused: refusePlain(list.length) }
  return {
    hints: list.map((h) => ({
      peerId: h.peerId,
      addrs: h.addrs,
      load: h.load,
      capacity: h.capacity,
      mega: false,
    })),
    refused: new Map(),
  }
}

/** The most refusal sources remembered for "log once": past it, the oldest is forgotten. */
const MAX_LOGGED = 1024

/**
 * Counts refused proofs by code and logs each (supernode, code) once, so a
 * rogue supernode answering every few seconds cannot flood the log.
 */
export class ProofRefusals {
  private readonly counts = new Map<string, number>()
  private readonly logged = new Set<string>()

  constructor(private readonly log: Logger) {}

  note(from: string, refused: ReadonlyMap<string, number>): void {
    for (const [code, n] of refused) {
      this.counts.set(code, (this.counts.get(code) ?? 0) + n)
      const key = `${from}\u0000${code}`
      if (this.logged.has(key)) continue
      this.logged.add(key)
      if (this.logged.size > MAX_LOGGED) this.logged.delete(this.logged.values().next().value ?? '')
      this.log.warn({ supernode: from, code, count: n }, 'supernode hints refused: no valid proof')
    }
  }

  /** Refused proofs so far, by code. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.counts)
  }
}
