/** announce() was given another node's announcement. */
export class WrongPeerError extends Error {
  override name = 'WrongPeerError'
}

/** announce() was given an incarnation not above the current one: peers would ignore it. */
export class StaleIncarnationError extends Error {
  override name = 'StaleIncarnationError'
}

/** A MembershipOptions value that cannot work (for instance a probe timeout past the interval). */
export class MembershipOptionsError extends Error {
  override name = 'MembershipOptionsError'
}
