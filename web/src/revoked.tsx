/**
 * What a revoked device's page says, plainly: it was signed out, by whom and
 * when, that it keeps its history, and how to sign in again. The same words as
 * `parley status` (src/cli/commands/network.ts), restated for the browser.
 */
import type { SignedOut } from './types.js'

export function revokedText(s: SignedOut): string {
  const who =
    s.by === 'owner'
      ? 'by its owner (parley revoke, from another device)'
      : s.by === 'admin'
        ? 'by an administrator of the network'
        : 'by its owner or an administrator'
  const when = new Date(s.at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  return (
    `This device was signed out ${who} on ${when}. It no longer sends or receives messages; ` +
    'the history on it is kept. To use it again, sign in again with parley login.'
  )
}

export function RevokedBanner({ signedOut }: { signedOut: SignedOut }) {
  return (
    <div className="banner error" role="alert" data-testid="device-signed-out">
      <span>{revokedText(signedOut)}</span>
    </div>
  )
}
