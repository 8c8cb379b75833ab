/**
 * The web client as an app: Settings' theme (light, dark, or the system's)
 * and the installable shell. First without a browser: what the service
 * worker does with each request, and the icons and shell list the build
 * makes. Then in Chromium against one fresh device: the sign-up screen and
 * Settings pass axe in light and in dark, the chosen theme holds across a
 * reload from the first frame, Chromium finds the app installable, and with
 * the device stopped a reload still opens the shell, from the service
 * worker, saying it cannot reach the device.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { encodePng, iconPixels } from '../web/build/icon.js'
import { routeOf } from '../web/src/shell-route.js'
import { launchProfile } from './support/browser.js'
import { checkScreen, showTheme } from './support/look.js'
import { startDaemon, tempDir, type Daemon } from './support/process.js'

const ROOT = join(import.meta.dirname, '..')
const WEB = join(ROOT, 'dist', 'web')
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? join(ROOT, 'test-results', 'web')
const WAIT_MS = 30_000

// ---- the service worker's routing and the build's shell, without a browser -----------

describe('app shell', () => {
  const scope = 'http://127.0.0.1:7300/'
  const files = ['index.html', 'assets/index-abc.js', 'icon-192.png']
  const route = (path: string, over: { method?: string; mode?: string } = {}) =>
    routeOf({ method: 'GET', mode: 'cors', ...over, url: new URL(path, scope).href }, scope, files).kind

  it('never answers the device API from the worker: /v1, its socket and downloads go to the network', () => {
    for (const path of ['/v1/session', '/v1/ws', '/v1/files/ab/content?key=k', '/v1'])
      expect(route(path), path).toBe('network')
    expect(route('/v1/session', { mode: 'navigate' })).toBe('network')
    expect(route('/index.html', { method: 'POST' })).toBe('network')
    // Another origin, or a file with a query, is not the shell either.
    expect(
      routeOf({ method: 'GET', mode: 'cors', url: 'http://127.0.0.1:9/icon-192.png' }, scope, files),
    ).toEqual({ kind: 'network' })
    expect(route('/icon-192.png?v=2')).toBe('network')
  })

  it('serves a page load from the device first, and the shell files from the cache', () => {
    expect(route('/', { mode: 'navigate' })).toBe('page')
    expect(route('/signin?code=abc', { mode: 'navigate' })).toBe('page')
    expect(
      routeOf({ method: 'GET', mode: 'cors', url: `${scope}assets/index-abc.js` }, scope, files),
    ).toEqual({
      kind: 'shell',
      file: 'assets/index-abc.js',
    })
    expect(route('/assets/other.js')).toBe('network')
  })

  it('draws the icon as a PNG: its signature and size, blue corners, a white bubble', () => {
    const png = encodePng(192, iconPixels(192))
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(png.readUInt32BE(16)).toBe(192)
    expect(png.readUInt32BE(20)).toBe(192)
    const pixels = iconPixels(64)
    const at = (x: number, y: number) => [...pixels.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4)]
    expect(at(0, 0)).toEqual([0x06, 0x68, 0xa8, 0xff])
    expect(at(32, 29)).toEqual([0xff, 0xff, 0xff, 0xff])
  })

  it('builds a worker that keeps every built file of the shell and nothing of the API', () => {
    const sw = readFileSync(join(WEB, 'sw.js'), 'utf8')
    const list = /"files":(\[[^\]]*\])/.exec(sw)?.[1]
    expect(list, 'the shell list in sw.js').toBeDefined()
    const shell = JSON.parse(list!) as string[]
    const html = readFileSync(join(WEB, 'index.html'), 'utf8')
    const referenced = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1])
    expect(referenced.length).toBeGreaterThan(3)
    for (const file of [...referenced, 'index.html', 'icon-192.png', 'icon-512.png'])
      expect(shell, file).toContain(file)
    expect(shell.some((f) => f.startsWith('v1'))).toBe(false)
    expect(sw).not.toContain('__PARLEY_SHELL__')
  })
})

// ---- in Chromium, against one device -------------------------------------------------

const dir = tempDir('parley-web-app-')
let net: Devnet
let context: BrowserContext
let device: Daemon | undefined
let page: Page
let base: string
let failed = false
const byTestId = (id: string) => page.getByTestId(id)
// The tests are type-checked without the DOM's types: what runs in the page is given as text.
const themeOf = (p: Page) => p.evaluate<string | undefined>('document.documentElement.dataset.theme')

/** Records, before any script of the page, the theme and background of the first frame drawn. */
const RECORD_FIRST_FRAME = `requestAnimationFrame(() => {
  window.__firstFrame = {
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.documentElement).backgroundColor,
  }
})`

describe('web client as an app in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(join(WEB, 'sw.js')))
      throw new Error('the web client is not built: run npm run build:web (npm test does)')
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 1, fastReattach: true })
    // As test/web.test.ts's arrive: the profile's folder first (pino makes it asynchronously).
    mkdirSync(join(net.home, 'profiles', 'carol'), { recursive: true, mode: 0o700 })
    device = await startDaemon(
      ['up', '--profile', 'carol', '--fast-reattach', '--away-after', '0'],
      /no account on profile/,
      { env: { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl } },
    )
    const link = /sign-in link: (\S+)/.exec(device.output())?.[1]
    if (link === undefined) throw new Error(`no sign-in link in:\n${device.output()}`)
    base = new URL(link).origin
    // A browser profile of its own: Chromium installs no app from an incognito context.
    mkdirSync(join(dir.path, 'chromium'))
    context = await launchProfile(join(dir.path, 'chromium'), { viewport: { width: 1100, height: 800 } })
    context.setDefaultTimeout(WAIT_MS)
    await context.addInitScript(RECORD_FIRST_FRAME)
    page = context.pages()[0] ?? (await context.newPage())
    await page.goto(link)
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    failed = true
    mkdirSync(SCREENSHOTS, { recursive: true })
    const file = join(SCREENSHOTS, `${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`)
    await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    console.log(`screenshot: ${file}`)
  })

  afterAll(async () => {
    await context?.close()
    await device?.stop('SIGKILL')
    await net?.stop()
    if (process.env.PARLEY_KEEP === undefined && !failed) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  it('signs up; the sign-up screen follows the system into dark and passes axe in both themes', async () => {
    await byTestId('signup-username').waitFor()
    await checkScreen(page, 'setup', { themes: ['light', 'dark'] })
    await byTestId('signup-username').fill('carol')
    await byTestId('signup-password').fill('correct horse battery')
    await byTestId('signup-submit').click()
    await expect.poll(() => byTestId('me').textContent(), { timeout: WAIT_MS }).toBe('carol')
  }, 60_000)

  it('Settings: light, dark or system; the choice holds across a reload from the first frame', async () => {
    await byTestId('settings-open').click()
    await byTestId('settings').waitFor()
    expect(await byTestId('theme-system').isChecked()).toBe(true)
    await checkScreen(page, 'settings', { themes: ['light', 'dark'] })

    // Dark chosen: dark whatever the system says, from the first frame of the next load.
    await page.emulateMedia({ colorScheme: 'light' })
    await byTestId('theme-dark').check()
    expect(await themeOf(page)).toBe('dark')
    await page.reload()
    await byTestId('settings-open').click()
    expect(await byTestId('theme-dark').isChecked()).toBe(true)
    const first = await page.evaluate<unknown>('window.__firstFrame')
    expect(first).toEqual({ theme: 'dark', background: 'rgb(18, 23, 28)' })
    await checkScreen(page, 'settings-chosen-dark')

    // Light chosen: light although the system is dark.
    await page.emulateMedia({ colorScheme: 'dark' })
    await byTestId('theme-light').check()
    expect(await themeOf(page)).toBe('light')
    // System again: it follows the system as it changes.
    await byTestId('theme-system').check()
    expect(await themeOf(page)).toBe('dark')
    await showTheme(page, 'light')
    await page.emulateMedia({ colorScheme: null })
  }, 60_000)

  it('is installable: the manifest and worker are served with their types, and Chromium finds no installability error', async () => {
    const manifest = await fetch(`${base}/manifest.webmanifest`)
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json')
    expect(((await manifest.json()) as { name: string }).name).toBe('Parley')
    const sw = await fetch(`${base}/sw.js`)
    expect(sw.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(sw.headers.get('cache-control')).toBe('no-store')
    for (const res of [manifest, sw]) {
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("worker-src 'self'")
      expect(csp).toContain("manifest-src 'self'")
    }
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)')
    const cdp = await context.newCDPSession(page)
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
    expect(installabilityErrors).toEqual([])
    const { errors } = await cdp.send('Page.getAppManifest')
    expect(errors).toEqual([])
    await cdp.detach()
    // Chromium offers to install it (beforeinstallprompt): Settings shows the Install button.
    await byTestId('settings-install').waitFor()
  }, 60_000)

  it('opens the shell from the service worker with the device stopped, and says it cannot reach the device', async () => {
    await expect
      .poll(() => page.evaluate<boolean>('navigator.serviceWorker.controller !== null'), { timeout: WAIT_MS })
      .toBe(true)
    expect(await device!.stop('SIGTERM')).not.toBeNull()
    await page.reload()
    await byTestId('unreachable').waitFor()
    expect(await byTestId('unreachable').textContent()).toMatch(/cannot reach your device/i)
    // The API is never answered from the worker or its cache: it fails like the device it asks.
    const api = await page.evaluate<string>(
      `fetch('/v1/session').then((r) => 'answered ' + r.status, () => 'no answer')`,
    )
    expect(api).toBe('no answer')
    const kept = await page.evaluate<string[]>(`(async () => {
      const paths = []
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys()) paths.push(new URL(req.url).pathname)
      return paths
    })()`)
    expect(kept).toContain('/index.html')
    expect(kept.filter((u) => u.startsWith('/v1'))).toEqual([])
    await checkScreen(page, 'unreachable', { themes: ['light', 'dark'] })
  }, 60_000)
})
