/**
 * When a device renews its certificate: somewhere between half and
 * three-quarters of its lifetime, spread by a per-device random value so a
 * network of devices restarted together does not renew together (rule 3).
 * Pure: the caller passes the time and the random value.
 */
export interface Validity {
  notBefore: number
  notAfter: number
}

/** `random` in [0, 1). */
export function renewalTime(cert: Validity, random: number): number {
  const lifetime = cert.notAfter - cert.notBefore
  return cert.notBefore + Math.floor(lifetime * (0.5 + 0.25 * random))
}

export type RenewalState = 'fresh' | 'renew' | 'expired'

export function renewalState(cert: Validity, now: number, random: number): RenewalState {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in ms, not ${now}`)
  if (now >= cert.notAfter) return 'expired'
  return now >= renewalTime(cert, random) ? 'renew' : 'fresh'
}
