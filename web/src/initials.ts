/**
 * A user's initials, shown where there is no picture of them (an audio call;
 * later, the default avatar): "alice" → "A", "mary.lee" → "ML". No DOM, so the
 * tests type-check it without the DOM library.
 */
export function initials(name: string): string {
  const parts = name.split(/[._-]+/).filter((w) => w !== '')
  const letters = parts.slice(0, 2).map((w) => w[0]!.toUpperCase())
  return letters.length > 0 ? letters.join('') : '?'
}
