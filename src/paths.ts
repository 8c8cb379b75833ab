/** Where the Parley installation is: the folder holding its package.json, from compiled (dist/src) or source (src) files alike. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'parley')
      return dir
    const up = dirname(dir)
    if (up === dir)
      throw new Error('cannot find the Parley package.json above ' + fileURLToPath(import.meta.url))
    dir = up
  }
}

export const PROJECT_ROOT = findRoot()
export const PARLEY_BIN = join(PROJECT_ROOT, 'bin', 'parley.js')
