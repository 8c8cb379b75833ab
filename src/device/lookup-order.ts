/**
 * Which of its supernodes a device asks a lookup of first. The ones that
 * answered lately first, in random order so that lookups spread over a
 * device's attachments; the ones that failed or were hedged past lately last
 * (still asked if the others fail). Each supernode's answer decides alone: it
 * ran the directory's lookup over the username's ranking, and its "nobody"
 * already weighed the replicas that did not answer (src/directory/lookup.ts).
 * Sans-IO: randomness and what is slow are passed in.
 */
import type { LookupOptions, Ranked } from '../directory/lookup.js'

/**
 * Ask the next supernode as well when the first has not answered in this time,
 * until the device has seen enough answers to know better (hedge-delay.ts).
 */
export const LOOKUP_HEDGE_MS = 150

export function supernodeOrder(
  peerIds: readonly string[],
  isSlow: (peerId: string) => boolean,
  random: () => number,
): Ranked[] {
  const keyed = peerIds.map((peerId) => ({ peerId, slow: isSlow(peerId), key: random() }))
  keyed.sort((a, b) => Number(a.slow) - Number(b.slow) || a.key - b.key)
  return keyed.map(({ peerId, slow }) => ({ peerId, slow }))
}

/**
 * Rounds over the device's supernodes. A supernode whose own lookup could not say (its 700 ms deadline,
 * or "inconclusive": holders that did not answer in time) answers within the device's 1 s; asking it
 * again then usually finds the user, since it now asks those holders without waiting on them. That
 * matters most right after the device lost an attachment: until the lost one is replaced (up to 30 s,
 * the refill spread of src/attach/attacher.ts) one supernode is all it has to ask.
 */
export const LOOKUP_ROUNDS = 2

/** The device's lookup over its supernodes: hedged after `hedgeMs`, any one's answer decides. */
export function deviceLookupOptions(
  order: Ranked[],
  username: string,
  deadlineMs: number,
  hedgeMs: number = LOOKUP_HEDGE_MS,
): LookupOptions {
  return {
    replicas: order,
    username,
    notFoundQuorum: 1,
    hedgeDelayMs: hedgeMs,
    attemptTimeoutMs: deadlineMs,
    overallTimeoutMs: deadlineMs,
    rounds: LOOKUP_ROUNDS,
  }
}
