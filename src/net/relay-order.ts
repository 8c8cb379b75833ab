/**
 * Which of a device's relay circuits to dial first, and for how long. libp2p
 * dials one peer's addresses one after another, and a dial to a peer joins
 * one already under way (its dial queue), so the circuits cannot be raced:
 * order and time them instead. A relay this device is attached to right now
 * (its keepalive answered within seconds) goes first; one it lost lately
 * (frozen, dead, left) goes last; the rest keep the order the record gives.
 * Right after a supernode dies, the records of the devices attached to it
 * still list it until they publish again (seconds: docs/directory.md), and
 * most of their contacts were attached to it too when it was a mega: dialled
 * first, it cost a whole dial timeout before the live relay was tried.
 *
 * Sans-IO: what is up or down is passed in.
 */

export type RelayHealth = 'up' | 'down' | 'unknown'

/** Every circuit but the last gets at most this long: a relay that answers connects well within it. */
export const RELAY_TRY_MS = 2_500

/** The relay's peer id in a circuit address (`…/p2p/<relay>/p2p-circuit…`), if it names one. */
export function relayOf(circuit: string): string | undefined {
  const at = circuit.indexOf('/p2p-circuit')
  if (at < 0) return undefined
  const before = circuit.slice(0, at).split('/')
  const p2p = before.lastIndexOf('p2p')
  return p2p >= 0 ? before[p2p + 1] : undefined
}

/** Circuits through relays known up first, unknown next, known down last; the record's order within each. */
export function orderCircuits(circuits: readonly string[], health: (relay: string) => RelayHealth): string[] {
  const rank = { up: 0, unknown: 1, down: 2 } as const
  return circuits
    .map((c, i) => {
      const relay = relayOf(c)
      return { c, i, r: rank[relay === undefined ? 'unknown' : health(relay)] }
    })
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c)
}

/** How long to give the next circuit: the whole timeout to the last one, at most RELAY_TRY_MS before it. */
export function circuitBudgetMs(timeoutMs: number, circuitsLeft: number): number {
  const whole = Math.max(0, timeoutMs)
  return circuitsLeft > 1 ? Math.min(RELAY_TRY_MS, whole) : whole
}
