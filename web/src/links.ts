/**
 * Links in message text, found by linkify-it (bare domains included, as
 * "example.org") and kept only when they are web or mail links: a
 * `javascript:` or `data:` text stays text. The page opens a link in a new
 * tab with `rel="noopener noreferrer"` (Conversation.tsx), so the site sees
 * neither the page nor where the user came from.
 */
import { LinkifyIt } from 'linkify-it'

export type Part = string | { href: string; text: string }

const SCHEMES = new Set(['http:', 'https:', 'mailto:'])

// Only what a person means by a link: no FTP, no scheme-relative "//host", no bare IP address.
const finder = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false })
  .add('ftp:', null)
  .add('//', null)

/** The href a found link may have, or undefined when its scheme is not one a message may open. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return SCHEMES.has(parsed.protocol) ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/** The text cut into plain runs and links, in order; joined, the parts' texts are the text. */
export function linkParts(text: string): Part[] {
  const found = finder.match(text) ?? []
  const parts: Part[] = []
  let at = 0
  for (const m of found) {
    const href = safeHref(m.url)
    if (href === undefined) continue
    if (m.index > at) parts.push(text.slice(at, m.index))
    parts.push({ href, text: text.slice(m.index, m.lastIndex) })
    at = m.lastIndex
  }
  if (at < text.length) parts.push(text.slice(at))
  return parts
}
