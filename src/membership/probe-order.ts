/**
 * SWIM's probe target order: a shuffled round-robin, so every member is probed
 * once per round (a bound on detection time that pure random choice lacks) while
 * probers stay uncorrelated.
 */
export class ProbeOrder {
  private list: string[] = []
  private index = 0

  constructor(private readonly random: () => number) {}

  /** A new member goes to a random place in the rest of this round (O(1): a swap). */
  add(peerId: string): void {
    this.list.push(peerId)
    const last = this.list.length - 1
    const pos = this.index + randomIndex(this.random, last - this.index + 1)
    const other = this.list[pos]
    if (other === undefined || pos === last) return
    this.list[pos] = peerId
    this.list[last] = other
  }

  /**
   * The next member worth probing; `members` refills and reshuffles the list at
   * the end of a round. Entries for members since dead or forgotten are skipped.
   */
  next(probeable: (peerId: string) => boolean, members: () => string[]): string | undefined {
    let refilled = false
    for (;;) {
      if (this.index >= this.list.length) {
        if (refilled) return undefined
        this.list = shuffle(members(), this.random)
        this.index = 0
        refilled = true
      }
      const peerId = this.list[this.index++]
      if (peerId !== undefined && probeable(peerId)) return peerId
    }
  }
}

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1)
    const a = items[i] as T
    items[i] = items[j] as T
    items[j] = a
  }
  return items
}

/** A uniform index below n, safe against a source that returns exactly 1. */
export function randomIndex(random: () => number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.floor(random() * n)))
}

/** Up to k distinct items chosen at random (a partial Fisher-Yates; reorders items). */
export function pickSome<T>(items: T[], k: number, random: () => number): T[] {
  const n = Math.min(k, items.length)
  for (let i = 0; i < n; i++) {
    const j = i + randomIndex(random, items.length - i)
    const a = items[i] as T
    items[i] = items[j] as T
    items[j] = a
  }
  return items.slice(0, n)
}
