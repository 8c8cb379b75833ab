/** What `parley status` and `parley up` tell a user whose device cannot take part: signed out, or refused. */

/** What a revoked device tells its user, plainly: it is signed out, by whom, and what it kept. */
export function signedOutLine(s: { at: number; by?: 'owner' | 'admin' }): string {
  const who =
    s.by === 'owner'
      ? 'by its owner (parley revoke, from another device)'
      : s.by === 'admin'
        ? 'by an administrator of the network'
        : 'by its owner or an administrator'
  return (
    `SIGNED OUT   this device was revoked ${who} at ${new Date(s.at).toISOString()}; ` +
    'it no longer sends or receives. Your local history is kept. Sign in again with parley login.'
  )
}

/** Why nothing is attached, in the supernode's words (a version below the network's minimum says to upgrade). */
export function refusedLine(r: { code: string; message: string }): string {
  return `NOT ATTACHED the supernodes refuse this device (${r.code})${r.message === '' ? '' : `: ${r.message}`}`
}
