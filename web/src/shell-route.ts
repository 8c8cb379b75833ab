/**
 * What the service worker (sw.ts) does with a request, decided without the
 * network or the cache so it can be tested on its own. The device's local API
 * stays the only server: anything under /v1 (the API, the live socket, file
 * downloads) and anything not a GET goes to the network untouched, never
 * cached and never answered from a cache. A page load asks the device first
 * and falls back to the cached shell when the device does not answer; the
 * shell's other files (hashed assets, icons, the manifest) come from the
 * cache first.
 */

/** The cache every shell file lives in; the worker of a new build drops the others. */
export const CACHE_PREFIX = 'parley-shell-'

/** The shell's page under the worker's scope: the cache's key for every page load. */
export const SHELL_PAGE = 'index.html'

export type ShellRoute =
  /** Not ours: the browser fetches it as if there were no worker. */
  | { kind: 'network' }
  /** A page load: the device's answer when it answers, else the cached shell page. */
  | { kind: 'page' }
  /** A file of the shell: from the cache, else from the device. */
  | { kind: 'shell'; file: string }

export interface ShellRequest {
  method: string
  url: string
  /** Request.mode: 'navigate' for a page load. */
  mode: string
}

/** Where `req` is answered from, for a worker whose scope is `scope` and whose shell is `files`. */
export function routeOf(req: ShellRequest, scope: string, files: readonly string[]): ShellRoute {
  if (req.method !== 'GET') return { kind: 'network' }
  const url = new URL(req.url)
  const base = new URL(scope)
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return { kind: 'network' }
  const path = url.pathname.slice(base.pathname.length)
  if (path === 'v1' || path.startsWith('v1/')) return { kind: 'network' }
  if (req.mode === 'navigate') return { kind: 'page' }
  // Only the exact files: a query string would be another resource.
  if (url.search === '' && files.includes(path)) return { kind: 'shell', file: path }
  return { kind: 'network' }
}

/** The cache's name for a shell of this version. */
export const cacheName = (version: string): string => `${CACHE_PREFIX}${version}`
