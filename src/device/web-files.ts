/**
 * Serves the built web client (dist/web) from the local API: files under the
 * root only, with their content types; any other path gets index.html so the
 * client's own routes work on reload. The service worker (sw.js) and the
 * manifest are files like the others, with their own types; the worker is
 * never kept by the HTTP cache, so a new build's worker replaces the old one
 * on the next page load.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import type { Hono } from 'hono'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
}

export function serveWeb(app: Hono, root: string): void {
  app.get('*', (c) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname)
    const wanted = normalize(join(root, path))
    const inside = wanted.startsWith(root.endsWith(sep) ? root : root + sep)
    const file = inside && existsSync(wanted) && statSync(wanted).isFile() ? wanted : join(root, 'index.html')
    if (!existsSync(file))
      return c.text('The web client is not built here: run `npm run build:web` (npm start does it).', 404)
    // Neither the page nor the service worker may be kept by the HTTP cache: each names the current build.
    const fresh = file.endsWith('index.html') || file === join(root, 'sw.js')
    const headers = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // No other site may frame the client (clickjacking), and it loads nothing from elsewhere: its
      // service worker and manifest come from its own origin too.
      'x-frame-options': 'DENY',
      'content-security-policy':
        "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'; worker-src 'self'; manifest-src 'self'",
      'cache-control': fresh ? 'no-store' : 'max-age=3600',
    }
    return c.body(readFileSync(file), 200, headers)
  })
}
