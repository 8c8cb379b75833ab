/**
 * Serves the built web client (dist/web) from the local API: files under the
 * root only, with their content types; any other path gets index.html so the
 * client's own routes work on reload.
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
    const headers = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // No other site may frame the client (clickjacking), and it loads nothing from elsewhere.
      'x-frame-options': 'DENY',
      'content-security-policy':
        "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'",
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    }
    return c.body(readFileSync(file), 200, headers)
  })
}
