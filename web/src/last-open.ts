/**
 * The conversation the user had open last, kept in this origin's
 * localStorage per user, so the page (and the installed app) opens on it.
 */

const key = (me: string) => `parley.open.${me}`

export function lastOpen(me: string): string | undefined {
  try {
    return localStorage.getItem(key(me)) ?? undefined
  } catch {
    return undefined
  }
}

export function keepOpen(me: string, username: string | undefined): void {
  try {
    if (username === undefined) localStorage.removeItem(key(me))
    else localStorage.setItem(key(me), username)
  } catch {
    // storage off: the page opens on the contact list
  }
}
