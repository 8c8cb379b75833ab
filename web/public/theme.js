// @ts-check
/**
 * The page's theme before it is first drawn: a classic script in <head>
 * blocks rendering until it has run, so a dark page never flashes white.
 * The page's CSP allows scripts from its own origin only, hence this file
 * rather than an inline script. It puts `data-theme="light"` or `"dark"` on
 * <html> from the choice Settings keeps in localStorage (src/theme.ts):
 * light, dark, or system (the default), which follows
 * `prefers-color-scheme` as it changes. The page tells it of a new choice
 * with a `parley-theme` event; another tab's choice comes as a `storage` event.
 */
;(() => {
  const KEY = 'parley.theme'
  const system = window.matchMedia('(prefers-color-scheme: dark)')
  const apply = () => {
    let choice = 'system'
    try {
      choice = window.localStorage.getItem(KEY) ?? 'system'
    } catch {
      // storage off: follow the system
    }
    const dark = choice === 'dark' || (choice !== 'light' && system.matches)
    document.documentElement.dataset.theme = dark ? 'dark' : 'light'
  }
  apply()
  system.addEventListener('change', apply)
  window.addEventListener('parley-theme', apply)
  window.addEventListener('storage', (e) => {
    if (e.key === KEY || e.key === null) apply()
  })
})()
