#!/usr/bin/env node
// The one `parley` executable. Polyfills load before anything imports libp2p.
import { existsSync } from 'node:fs'

const main = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  console.error('parley: not built yet; run `npm install && npm run build` in the Parley folder first.')
  process.exit(1)
}
await import('../dist/src/polyfills.js')
await import(main.href)
