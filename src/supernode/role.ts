/**
 * The supernode's own startup check: it runs only with the role the operator
 * granted. The certificate must carry the role and, once the authority signs
 * a grant list, the list must name the account (the certificate lives 7 days,
 * a withdrawal takes effect within a minute). A grant given since the last
 * sign-in shows in a renewed certificate, so the check renews once first.
 */
import type { Profile } from '../device/profile.js'
import { renew, type DeviceIdentity } from '../device/session.js'
import type { Logger } from '../log/logger.js'
import { verifyCertificate, type Certificate } from '../trust/certificate.js'
import type { SupernodeGrantList } from '../trust/grants.js'

/** Keeps `parley supernode` without a grant well inside its 10 s to say so. */
const RENEW_TIMEOUT_MS = 5_000

export class SupernodeForbiddenError extends Error {
  override name = 'SupernodeForbiddenError'
}

function grantHint(username: string): string {
  return `the network's operator grants it with: parley authority grant-supernode ${username}`
}

/** This device's valid certificate, renewed once when it lacks the role (a grant may have come since). */
export async function certificateForRole(
  profile: Profile,
  identity: DeviceIdentity,
  log: Logger,
  now: number = Date.now(),
): Promise<Certificate> {
  const config = identity.config
  const cert = verifyCertificate(identity.certificate.bytes, {
    networkPublicKey: config.networkPublicKey,
    networkId: config.networkId,
    now,
  })
  if (cert.policy.maySupernode) return cert
  try {
    const renewed = await renew(profile, AbortSignal.timeout(RENEW_TIMEOUT_MS))
    if (renewed.policy.maySupernode) return renewed
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not renew the certificate to look for a supernode grant')
  }
  throw new SupernodeForbiddenError(
    `the certificate of ${cert.username}/${cert.deviceName} does not allow the supernode role; ${grantHint(cert.username)}`,
  )
}

/** Refuses to start when the authority's grant list, if it signs one, does not name this account. */
export function checkGranted(cert: Certificate, grants: SupernodeGrantList | undefined): void {
  if (grants === undefined || grants.has(cert.username)) return
  throw new SupernodeForbiddenError(
    `${cert.username} is not granted the supernode role (withdrawn since its certificate was issued); ${grantHint(cert.username)}`,
  )
}
