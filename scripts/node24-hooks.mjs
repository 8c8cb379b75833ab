// Loaded by Node 24 before anything else (NODE_OPTIONS=--import=…, set by
// scripts/node24.mjs for the Node 24 test runs and every process they
// start): better-sqlite3 resolves to the copy built for Node 24's ABI
// (PARLEY_BETTER_SQLITE3) instead of node_modules/better-sqlite3, which stays
// built for Node 20. A bare import made inside the copy (its `bindings`)
// resolves as if made from the original, so the copy needs no node_modules.
import { createRequire, isBuiltin, registerHooks } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const copy = process.env.PARLEY_BETTER_SQLITE3
if (copy !== undefined && copy !== '') {
  const copyUrl = pathToFileURL(join(copy, '/')).href
  const marker = '/node_modules/better-sqlite3/'
  let original
  registerHooks({
    resolve(specifier, context, next) {
      const bare = !/^(\.|\/|[a-z]+:)/.test(specifier) && !isBuiltin(specifier)
      // require() resolves from the parent module, not parentURL: resolve for it from the original.
      if (bare && context.parentURL?.startsWith(copyUrl) && original !== undefined)
        return { url: pathToFileURL(createRequire(original).resolve(specifier)).href, shortCircuit: true }
      const resolved = next(specifier, context)
      const at = resolved.url.indexOf(marker)
      if (at < 0) return resolved
      original = resolved.url
      return { ...resolved, url: copyUrl + resolved.url.slice(at + marker.length), shortCircuit: true }
    },
  })
}
