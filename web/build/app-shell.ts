/**
 * Makes the built client installable: the PNG icons (icon.ts), and the
 * service worker (src/sw.ts) built as its own file, `sw.js`, at the root
 * (its scope is the whole origin) with the list of the shell's files written
 * into it. That list is only known once the bundle is made (the assets' names
 * carry their hashes), so it replaces a placeholder then; the cache's name is
 * a hash of the list, so a new build's worker fills a new cache and drops the
 * old one. Files under web/public (the manifest, theme.js, icon.svg) are
 * copied by Vite and listed here by name.
 */
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { iconPng } from './icon.js'

const SW_ENTRY = fileURLToPath(new URL('../src/sw.ts', import.meta.url))
export const SW_FILE = 'sw.js'
/** Replaced in sw.js by the shell's version and files (sw.ts declares it). */
const PLACEHOLDER = '__PARLEY_SHELL__'
const ICONS = { 'icon-192.png': 192, 'icon-512.png': 512 }
const PUBLIC = ['manifest.webmanifest', 'theme.js', 'icon.svg']

export function appShell(): Plugin {
  return {
    name: 'parley-app-shell',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: SW_ENTRY, fileName: SW_FILE })
      for (const [fileName, size] of Object.entries(ICONS))
        this.emitFile({ type: 'asset', fileName, source: iconPng(size) })
    },
    generateBundle(_options, bundle) {
      const sw = bundle[SW_FILE]
      if (sw?.type !== 'chunk') throw new Error(`the service worker ${SW_FILE} is missing from the bundle`)
      // The worker's own chunk and source maps are not part of the shell.
      const built = Object.keys(bundle).filter((f) => f !== SW_FILE && !f.endsWith('.map'))
      const files = ['index.html', ...PUBLIC, ...built.filter((f) => f !== 'index.html')].sort()
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16)
      if (!sw.code.includes(PLACEHOLDER)) throw new Error(`${SW_FILE} does not read ${PLACEHOLDER}`)
      sw.code = sw.code.replaceAll(PLACEHOLDER, JSON.stringify({ version, files }))
    },
  }
}
