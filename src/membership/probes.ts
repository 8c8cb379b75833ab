/** One probe of ours in flight, keyed by the seq of its ping. */
export interface Probe {
  target: string
  /** When to ask others to probe for us; undefined once asked. */
  indirectAt: number | undefined
  /** End of the protocol period: no ack by then and the target is suspected. */
  suspectAt: number
}

/**
 * Our probes in flight: at most one per target. An ack ends a probe only when
 * its seq and its target both match, so late, duplicated and stray acks are
 * ignored: the probe they answered is gone.
 */
export class Probes {
  private readonly inFlight = new Map<number, Probe>()

  get size(): number {
    return this.inFlight.size
  }

  start(seq: number, target: string, indirectAt: number, suspectAt: number): Probe {
    const probe: Probe = { target, indirectAt, suspectAt }
    this.inFlight.set(seq, probe)
    return probe
  }

  /** True when the ack ended one of our probes. */
  acked(seq: number, target: string): boolean {
    if (this.inFlight.get(seq)?.target !== target) return false
    this.inFlight.delete(seq)
    return true
  }

  find(target: string): [number, Probe] | undefined {
    for (const entry of this.inFlight) if (entry[1].target === target) return entry
    return undefined
  }

  targets(): Set<string> {
    return new Set([...this.inFlight.values()].map((p) => p.target))
  }

  /** Probes whose period ended without an ack (removed), and those due for indirect probes. */
  due(now: number): { failed: string[]; indirect: [number, Probe][] } {
    const failed: string[] = []
    const indirect: [number, Probe][] = []
    for (const [seq, probe] of this.inFlight) {
      if (probe.suspectAt <= now) {
        this.inFlight.delete(seq)
        failed.push(probe.target)
      } else if (probe.indirectAt !== undefined && probe.indirectAt <= now) indirect.push([seq, probe])
    }
    return { failed, indirect }
  }

  nextDeadline(): number | undefined {
    let t: number | undefined
    for (const p of this.inFlight.values()) t = Math.min(t ?? Infinity, p.indirectAt ?? Infinity, p.suspectAt)
    return t
  }
}
