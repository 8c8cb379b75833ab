/**
 * Sending files the way people do (web/src/useFileSender.ts, SendFile.tsx)
 * and image previews made in the page (web/src/preview.ts, image-sniff.ts).
 * The header reader on byte vectors first; then two fresh devices on a
 * devnet, alice and bob in Chromium: two files dropped on the pane make two
 * offers, a pasted PNG goes after its confirmation row and bob sees a
 * thumbnail made from the downloaded bytes, and a text file named .png
 * shows no preview. axe checks the drop overlay and a conversation with a
 * preview, in light and dark.
 */
import { mkdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, JSHandle, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { fitWithin, imageHead, imageType } from '../web/src/image-sniff.js'
import { launchBrowser } from './support/browser.js'
import { checkScreen } from './support/look.js'
import { startDaemon, tempDir, type Daemon } from './support/process.js'

const ROOT = join(import.meta.dirname, '..')
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? join(ROOT, 'test-results', 'web-files')
const PASSWORD = 'correct horse battery'
const WAIT_MS = 30_000

// ---- image headers, without a browser ----------------------------------------------

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))
const be32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
const le16 = (n: number) => [n & 255, n >>> 8]
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, n >>> 16]

describe('image headers (image-sniff.ts)', () => {
  it('reads the type and size from magic bytes and headers, never from anything else', () => {
    const png = bytes(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      be32(13),
      'IHDR',
      be32(640),
      be32(400),
    )
    expect(imageHead(png)).toEqual({ type: 'png', width: 640, height: 400 })
    expect(imageHead(bytes('GIF89a', le16(30), le16(20)))).toEqual({ type: 'gif', width: 30, height: 20 })
    const riff = (chunk: string, body: number[]) =>
      bytes('RIFF', [0, 0, 0, 0], 'WEBP', chunk, [0, 0, 0, 0], body)
    expect(imageHead(riff('VP8X', [0, 0, 0, 0, ...le24(1023), ...le24(767)]))).toEqual({
      type: 'webp',
      width: 1024,
      height: 768,
    })
    const lossless = (99 & 0x3fff) | ((49 & 0x3fff) << 14)
    expect(imageHead(riff('VP8L', [0x2f, ...be32(0).map((_, i) => (lossless >>> (8 * i)) & 255)]))).toEqual({
      type: 'webp',
      width: 100,
      height: 50,
    })
    expect(imageHead(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(64), ...le16(48)]))).toEqual({
      type: 'webp',
      width: 64,
      height: 48,
    })
    // A JPEG's frame header comes after its other segments (here an APP1 of 300 bytes).
    const app1 = [0xff, 0xe1, ...[302 >>> 8, 302 & 255], ...new Array<number>(300).fill(0)]
    const sof0 = [0xff, 0xc0, 0, 17, 8, ...[0x01, 0xe0], ...[0x02, 0x80], 3]
    expect(imageHead(bytes([0xff, 0xd8], app1, sof0, new Array<number>(20).fill(0)))).toEqual({
      type: 'jpeg',
      width: 640,
      height: 480,
    })
  })

  it('says no image for text, a cut header, or a zero size', () => {
    expect(imageType(bytes('just some text, named photo.png'))).toBeUndefined()
    expect(imageHead(bytes('just some text, named photo.png'))).toBeUndefined()
    expect(
      imageHead(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHD')),
    ).toBeUndefined()
    expect(imageHead(bytes('GIF89a', le16(0), le16(20)))).toBeUndefined()
    expect(imageHead(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBeUndefined()
    expect(imageHead(new Uint8Array())).toBeUndefined()
  })

  it('fits a thumbnail within 320 px, keeping the shape and never enlarging', () => {
    expect(fitWithin(640, 400, 320)).toEqual({ width: 320, height: 200 })
    expect(fitWithin(100, 4000, 320)).toEqual({ width: 8, height: 320 })
    expect(fitWithin(20, 10, 320)).toEqual({ width: 20, height: 10 })
  })
})

// ---- in Chromium ---------------------------------------------------------------------

const dir = tempDir('parley-web-files-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
let failed = false
const users = new Map<string, { context: BrowserContext; page: Page }>()

const page = (user: string): Page => users.get(user)!.page
const byTestId = (user: string, id: string) => page(user).getByTestId(id)
const bubble = (user: string, text: string) => byTestId(user, 'message').filter({ hasText: text })
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS, interval: 100 })

/** A fresh device with no account, and a browser context that opened its sign-in link (as in web.test.ts). */
async function arrive(user: string): Promise<void> {
  mkdirSync(join(net.home, 'profiles', user), { recursive: true, mode: 0o700 })
  const daemon = await startDaemon(
    ['up', '--profile', user, '--fast-reattach', '--away-after', '0'],
    /no account on profile/,
    { env: { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl } },
  )
  devices.push(daemon)
  const link = /sign-in link: (\S+)/.exec(daemon.output())?.[1]
  if (link === undefined) throw new Error(`no sign-in link in:\n${daemon.output()}`)
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
  context.setDefaultTimeout(WAIT_MS)
  const p = await context.newPage()
  users.set(user, { context, page: p })
  await p.goto(link)
}

/**
 * Files made in the page (the test is type-checked without the DOM, so the page's code is text):
 * `kind` 'text' is a few lines, 'png' a real 640×400 PNG drawn on a canvas.
 */
const FILES_IN_PAGE = (files: { name: string; kind: 'text' | 'png' }[]) => `(async () => {
  const made = []
  for (const f of ${JSON.stringify(files)}) {
    if (f.kind === 'png') {
      const canvas = new OffscreenCanvas(640, 400)
      const g = canvas.getContext('2d')
      g.fillStyle = '#2a7ab8'
      g.fillRect(0, 0, 640, 400)
      g.fillStyle = '#f2b01e'
      g.fillRect(160, 100, 320, 200)
      made.push(new File([await canvas.convertToBlob({ type: 'image/png' })], f.name, { type: 'image/png' }))
    } else {
      made.push(new File(['not a picture, whatever the name says\\n'.repeat(40)], f.name, { type: 'image/png' }))
    }
  }
  const dt = new DataTransfer()
  for (const file of made) dt.items.add(file)
  return dt
})()`

async function dataTransfer(
  user: string,
  files: { name: string; kind: 'text' | 'png' }[],
): Promise<JSHandle> {
  return page(user).evaluateHandle(FILES_IN_PAGE(files))
}

describe('sending files in Chromium: drop, paste, previews', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')))
      throw new Error('the web client is not built: run npm run build:web')
    browser = await launchBrowser()
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
    await Promise.all(['alice', 'bob'].map(arrive))
    for (const user of ['alice', 'bob']) {
      await byTestId(user, 'signup-username').fill(user)
      await byTestId(user, 'signup-password').fill(PASSWORD)
      await byTestId(user, 'signup-submit').click()
    }
    for (const user of ['alice', 'bob']) await byTestId(user, 'me').filter({ hasText: user }).waitFor()
    await byTestId('alice', 'add-contact-username').fill('bob')
    await byTestId('alice', 'add-contact-submit').click()
    await byTestId('bob', 'request-alice-accept').click()
    await page('alice').locator('[data-testid="contact-bob"][data-state="accepted"]').waitFor()
    await byTestId('alice', 'contact-bob').click()
    await byTestId('bob', 'contact-alice').click()
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    failed = true
    mkdirSync(SCREENSHOTS, { recursive: true })
    for (const [user, { page: p }] of users) {
      const file = join(SCREENSHOTS, `${task.name.replace(/[^a-z0-9]+/gi, '-')}-${user}.png`)
      await p.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.log(`screenshot: ${file}`)
    }
  })

  afterAll(async () => {
    await browser?.close()
    for (const d of devices) await d.stop('SIGKILL')
    await net?.stop()
    if (process.env.PARLEY_KEEP === undefined && !failed) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  it('two files dropped on the pane make two offers, which bob accepts', async () => {
    const dt = await dataTransfer('alice', [
      { name: 'first.txt', kind: 'text' },
      { name: 'second.txt', kind: 'text' },
    ])
    const pane = byTestId('alice', 'messages')
    await pane.dispatchEvent('dragenter', { dataTransfer: dt })
    expect(await byTestId('alice', 'drop-overlay').textContent()).toBe('Drop to send to bob')
    await checkScreen(page('alice'), 'file-drop', { themes: ['light', 'dark'] })
    await pane.dispatchEvent('dragover', { dataTransfer: dt })
    await pane.dispatchEvent('drop', { dataTransfer: dt })
    await byTestId('alice', 'drop-overlay').waitFor({ state: 'detached' })
    for (const name of ['first.txt', 'second.txt']) {
      const offer = bubble('bob', name)
      await offer.getByTestId('file-accept').click()
      await poll(() => offer.getAttribute('data-file-state')).toBe('done')
    }
    await poll(() => bubble('alice', 'second.txt').getAttribute('data-file-state')).toBe('done')
  }, 60_000)

  it('a pasted PNG waits for Send; bob sees a thumbnail made from the downloaded bytes', async () => {
    const input = byTestId('alice', 'message-input')
    // A paste as Ctrl+V of a screenshot makes it: a ClipboardEvent carrying the file, on the message box.
    const paste = () =>
      page('alice').evaluate(`(async () => {
        const clipboardData = await ${FILES_IN_PAGE([{ name: 'screenshot.png', kind: 'png' }])}
        const box = document.querySelector('[data-testid="message-input"]')
        box.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }))
      })()`)
    // Cancel first: nothing goes.
    await paste()
    expect(await byTestId('alice', 'pasted-name').textContent()).toBe('screenshot.png')
    expect(await byTestId('alice', 'pasted-size').textContent()).toMatch(/KiB$/)
    await byTestId('alice', 'pasted-cancel').click()
    await byTestId('alice', 'pasted').waitFor({ state: 'detached' })
    expect(await input.inputValue()).toBe('')
    await paste()
    await byTestId('alice', 'pasted-send').click()
    await byTestId('alice', 'pasted').waitFor({ state: 'detached' })
    const offer = bubble('bob', 'screenshot.png')
    await offer.getByTestId('file-accept').click()
    await poll(() => offer.getAttribute('data-file-state')).toBe('done')
    const thumb = offer.getByTestId('file-preview-image')
    await poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(
      320,
    )
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/)
    expect(await thumb.getAttribute('alt')).toBe('Preview of screenshot.png')
    // alice's page previews the File she pasted.
    const mine = bubble('alice', 'screenshot.png').getByTestId('file-preview-image')
    await poll(() => mine.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(
      320,
    )
    expect(await byTestId('bob', 'message').filter({ hasText: 'screenshot.png' }).count()).toBe(1)
    await checkScreen(page('bob'), 'file-preview', { themes: ['light', 'dark'] })
  }, 60_000)

  it('a text file named .png crosses as a plain file: no preview, no error', async () => {
    const dt = await dataTransfer('alice', [{ name: 'fake.png', kind: 'text' }])
    const pane = byTestId('alice', 'messages')
    await pane.dispatchEvent('dragenter', { dataTransfer: dt })
    await pane.dispatchEvent('drop', { dataTransfer: dt })
    const offer = bubble('bob', 'fake.png')
    await offer.getByTestId('file-accept').click()
    await poll(() => offer.getAttribute('data-file-state')).toBe('done')
    await poll(() => offer.getByTestId('file-preview').getAttribute('data-preview')).toBe('none')
    expect(await offer.getByTestId('file-preview-image').count()).toBe(0)
    expect(await offer.getByRole('alert').count()).toBe(0)
    await offer.getByTestId('file-download').waitFor()
  }, 60_000)
})
