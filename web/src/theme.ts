/**
 * The theme the user chose in Settings: light, dark, or the system's
 * (`prefers-color-scheme`, the default). Kept in this origin's localStorage;
 * public/theme.js reads it before the page is first drawn and puts the
 * resolved theme on <html data-theme>, which styles.css follows. The page
 * only stores the choice and tells theme.js, so the rule lives in one place.
 */

export const THEMES = ['light', 'dark', 'system'] as const
export type ThemeChoice = (typeof THEMES)[number]

/** The key theme.js reads (it cannot import this module: it runs before the bundle). */
const KEY = 'parley.theme'

export function themeChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY)
    return THEMES.find((t) => t === v) ?? 'system'
  } catch {
    return 'system'
  }
}

export function chooseTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, choice)
  } catch {
    // storage off: the choice lasts until theme.js runs again
  }
  window.dispatchEvent(new Event('parley-theme'))
}
