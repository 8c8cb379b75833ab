/**
 * The web client in Firefox, against Chromium. alice's device is new: she
 * opens its sign-in link in Debian's Firefox ESR (puppeteer-core over
 * WebDriver BiDi) and signs up there; bob is in Chromium. Everything a user
 * does in the web client is done once from Firefox: add a contact, chat both
 * ways with receipts and typing, call and be called (audio and video between
 * Firefox and Chromium, counters rising on both sides; an audio call each
 * way, with no camera opened and no video sent), send and receive a file,
 * and use it at 360 px.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser as ChromiumBrowser, Page as ChromiumPage } from 'playwright-core'
import type { Browser, ElementHandle, Page } from 'puppeteer-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { signInLink } from '../src/devnet/introduce.js'
import { launchBrowser } from './support/browser.js'
import { signIn, up } from './support/chat.js'
import { launchFirefox } from './support/firefox.js'
import { startDaemon, tempDir, type Daemon } from './support/process.js'

const PASSWORD = 'correct horse battery'
const WAIT_MS = 30_000

const dir = tempDir('parley-firefox-')
let net: Devnet
let firefox: Browser
let chromium: ChromiumBrowser
/** alice, in Firefox */
let ff: Page
/** bob, in Chromium */
let bob: ChromiumPage
const devices: Daemon[] = []
let failed = false

/** The little of the DOM the in-page functions below use (the tests compile without DOM types). */
interface El {
  textContent: string | null
  getAttribute(name: string): string | null
  querySelector(selector: string): El | null
  getBoundingClientRect(): { left: number; right: number; width: number }
}
declare const document: {
  querySelector(selector: string): El | null
  querySelectorAll(selector: string): Iterable<El>
}

const sel = (id: string) => `[data-testid="${id}"]`
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS, interval: 100 })

/** What alice sees, read from the page in Firefox. */
const alice = {
  click: (id: string) => ff.locator(sel(id)).click(),
  fill: (id: string, text: string) => ff.locator(sel(id)).fill(text),
  waitFor: (id: string) => ff.waitForSelector(sel(id), { timeout: WAIT_MS }),
  gone: (id: string) => ff.waitForSelector(sel(id), { hidden: true, timeout: WAIT_MS }),
  attr: (id: string, name: string) => () =>
    ff.evaluate((s, n) => document.querySelector(s)?.getAttribute(n) ?? null, sel(id), name),
  text: (id: string) => () => ff.evaluate((s) => document.querySelector(s)?.textContent ?? null, sel(id)),
  /** A message bubble holding `text`: who sent it and its receipt state. */
  bubble: (text: string) => () =>
    ff.evaluate((t) => {
      const m = [...document.querySelectorAll('[data-testid="message"]')].find((e) =>
        e.textContent?.includes(t),
      )
      return m === undefined
        ? null
        : { sender: m.getAttribute('data-sender'), state: m.getAttribute('data-state') }
    }, text),
  /** An element inside the bubble holding `text`. */
  inBubble: async (text: string, id: string): Promise<ElementHandle> => {
    const found = await ff.waitForFunction(
      (t, inner) =>
        [...document.querySelectorAll('[data-testid="message"]')]
          .find((e) => e.textContent?.includes(t))
          ?.querySelector(`[data-testid="${inner}"]`),
      { timeout: WAIT_MS },
      text,
      id,
    )
    return found as ElementHandle
  },
  callState: () =>
    ff.evaluate((s) => document.querySelector(s)?.getAttribute('data-state') ?? 'none', sel('call-state')),
  stats: () =>
    ff.evaluate(() =>
      (globalThis as unknown as { __parleyCallStats?: () => Promise<Stats> }).__parleyCallStats?.(),
    ),
}

interface Stats {
  audio: { bytes: number; packets: number }
  video: { bytes: number; frames: number }
}
const bobStats = () => bob.evaluate<Stats | undefined>('window.__parleyCallStats?.()')
const bobCallState = () =>
  bob
    .getByTestId('call-state')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => 'none')
const bobBubble = (text: string) => bob.getByTestId('message').filter({ hasText: text })

/** Media is flowing into a page: video frames decoded and audio bytes received, and still rising. */
async function flowing(read: () => Promise<Stats | undefined>): Promise<void> {
  let first: Stats | undefined
  await poll(async () => {
    const s = await read()
    if (s !== undefined && s.video.frames > 0 && s.audio.bytes > 0) first ??= s
    return first !== undefined
  }).toBe(true)
  await poll(async () => {
    const s = await read()
    return (s?.video.frames ?? 0) > first!.video.frames && (s?.audio.bytes ?? 0) > first!.audio.bytes
  }).toBe(true)
}

/** Audio is flowing into a page, and still rising; not a frame of video. */
async function audioFlowing(read: () => Promise<Stats | undefined>): Promise<void> {
  let first: Stats | undefined
  await poll(async () => {
    const s = await read()
    if (s !== undefined && s.audio.bytes > 0) first ??= s
    return first !== undefined
  }).toBe(true)
  await poll(async () => ((await read())?.audio.bytes ?? 0) > first!.audio.bytes).toBe(true)
  expect((await read())?.video.frames).toBe(0)
}

/**
 * Run in a page already open (both browsers, no reload): records what it asks getUserMedia for
 * from now on and the RTCPeerConnections it makes, so a test can see whether a call asked for the
 * camera or sends video. Then what it asked, and what its last connection sends.
 */
const RECORD_MEDIA = `(() => {
  window.__gum = []
  if (window.__pcs !== undefined) return
  window.__pcs = []
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)
  navigator.mediaDevices.getUserMedia = (c) => {
    window.__gum.push(JSON.parse(JSON.stringify(c ?? {})))
    return gum(c)
  }
  const PC = window.RTCPeerConnection
  window.RTCPeerConnection = class extends PC {
    constructor(...args) {
      super(...args)
      window.__pcs.push(this)
    }
  }
})()`
const MEDIA_USED = `({
  asked: window.__gum,
  sent: window.__pcs.at(-1).getSenders().map((s) => s.track?.kind ?? 'none').sort(),
})`
interface MediaUsed {
  asked: Array<{ audio?: unknown; video?: unknown }>
  sent: string[]
}
const mediaUsed = async (): Promise<Record<'alice' | 'bob', MediaUsed>> => ({
  alice: (await ff.evaluate(MEDIA_USED)) as MediaUsed,
  bob: await bob.evaluate<MediaUsed>(MEDIA_USED),
})
const AUDIO_ONLY: MediaUsed = { asked: [{ audio: true, video: false }], sent: ['audio'] }

/** Run in a page: the SHA-256 of what it gets from a download link. */
async function digestOf(href: string): Promise<string> {
  const body = await (await fetch(href)).arrayBuffer()
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  return [...digest].map((x) => x.toString(16).padStart(2, '0')).join('')
}

describe('web client in Firefox', () => {
  beforeAll(async () => {
    ;[firefox, chromium] = await Promise.all([launchFirefox(), launchBrowser()])
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })

    await signIn(net, 'bob', 'bob')
    devices.push(await up(net, 'bob', ['--away-after', '0']))
    const bobContext = await chromium.newContext({ viewport: { width: 1100, height: 800 } })
    bobContext.setDefaultTimeout(WAIT_MS)
    bob = await bobContext.newPage()
    await bob.goto(await signInLink(net.home, 'bob'))

    // alice's device has no account yet: its link opens the sign-up form.
    mkdirSync(join(net.home, 'profiles', 'alice'), { recursive: true, mode: 0o700 })
    const daemon = await startDaemon(
      ['up', '--profile', 'alice', '--fast-reattach', '--away-after', '0'],
      /no account on profile/,
      { env: { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl } },
    )
    devices.push(daemon)
    const link = /sign-in link: (\S+)/.exec(daemon.output())?.[1]
    if (link === undefined) throw new Error(`no sign-in link in:\n${daemon.output()}`)
    ff = await (await firefox.createBrowserContext()).newPage()
    await ff.setViewport({ width: 1100, height: 800 })
    ff.setDefaultTimeout(WAIT_MS)
    await ff.goto(link)
  }, 600_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    failed = true
    const name = task.name.replace(/[^a-z0-9]+/gi, '-')
    const shots = join(dir.path, 'screenshots')
    mkdirSync(shots, { recursive: true })
    await ff?.screenshot({ path: join(shots, `${name}-alice-firefox.png`) }).catch(() => undefined)
    await bob?.screenshot({ path: join(shots, `${name}-bob-chromium.png`) }).catch(() => undefined)
    console.log(`screenshots: ${shots}`)
  })

  afterAll(async () => {
    await firefox?.close().catch(() => undefined)
    await chromium?.close()
    for (const d of devices) await d.stop('SIGKILL')
    await net?.stop()
    if (process.env.PARLEY_KEEP === undefined && !failed) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  it('alice signs up in Firefox and adds bob; bob accepts in Chromium', async () => {
    await alice.fill('signup-username', 'alice')
    await alice.fill('signup-password', PASSWORD)
    await alice.fill('signup-device', "alice's Firefox")
    await alice.click('signup-submit')
    await poll(alice.text('me')).toBe('alice')

    await alice.fill('add-contact-username', 'bob')
    await alice.fill('add-contact-greeting', 'hello from Firefox')
    await alice.click('add-contact-submit')
    await poll(alice.attr('contact-bob', 'data-state')).toBe('requested')
    expect(await bob.getByTestId('request-alice-greeting').textContent()).toBe('hello from Firefox')
    await bob.getByTestId('request-alice-accept').click()
    await poll(alice.attr('contact-bob', 'data-state')).toBe('accepted')
    await poll(alice.attr('contact-bob-presence', 'data-presence')).toBe('online')
    await expect
      .poll(() => bob.getByTestId('contact-alice-presence').getAttribute('data-presence'), {
        timeout: WAIT_MS,
      })
      .toBe('online')
  }, 120_000)

  it('chats both ways with receipts and typing', async () => {
    await alice.click('contact-bob')
    await alice.fill('message-input', 'written in Firefox')
    await ff.keyboard.press('Enter')
    await poll(alice.bubble('written in Firefox')).toEqual({ sender: 'alice', state: 'delivered' })
    await bob.getByTestId('contact-alice').click()
    expect(await bobBubble('written in Firefox').getAttribute('data-sender')).toBe('alice')
    await poll(alice.bubble('written in Firefox')).toEqual({ sender: 'alice', state: 'read' })

    await bob.getByTestId('message-input').pressSequentially('answered from')
    await poll(alice.text('typing-indicator')).toBe('bob is typing…')
    await bob.getByTestId('message-input').pressSequentially(' Chromium')
    await bob.getByTestId('message-input').press('Enter')
    await poll(alice.bubble('answered from Chromium')).toEqual({ sender: 'bob', state: 'received' })
    await alice.gone('typing-indicator')
    // alice has the conversation open in Firefox: bob sees his message read.
    await expect
      .poll(() => bobBubble('answered from Chromium').getAttribute('data-state'), { timeout: WAIT_MS })
      .toBe('read')
  }, 90_000)

  it('Firefox calls Chromium: audio and video flow both ways; hanging up ends it on both', async () => {
    await bob.getByTestId('contact-alice').click()
    await alice.click('call-audio-video')
    await poll(alice.callState).toBe('ringing')
    await bob.getByTestId('call-accept').click()
    await poll(alice.callState).toBe('connected')
    await poll(bobCallState).toBe('connected')
    await flowing(bobStats)
    await flowing(alice.stats)

    await alice.click('call-hangup')
    await poll(bobCallState).toMatch(/^(ended|none)$/)
    await poll(() =>
      bob
        .locator('[data-kind="call"]')
        .allTextContents()
        .then((t) => t.join('|')),
    ).toMatch(/Incoming video call · \d+:\d\d/)
    await alice.click('call-close')
    await alice.gone('call-state')
    await poll(bobCallState).toBe('none')
  }, 120_000)

  it('Chromium calls Firefox: alice answers in Firefox and receives audio and video', async () => {
    await bob.getByTestId('call-audio-video').click()
    await alice.waitFor('call-incoming')
    await alice.click('call-accept')
    await poll(alice.callState).toBe('connected')
    await poll(bobCallState).toBe('connected')
    await flowing(alice.stats)
    await flowing(bobStats)

    await bob.getByTestId('call-hangup').click()
    await poll(alice.callState).toMatch(/^(ended|none)$/)
    await poll(async () =>
      ff.evaluate(() =>
        [...document.querySelectorAll('[data-kind="call"]')].map((e) => e.textContent).join('|'),
      ),
    ).toMatch(/Outgoing video call · \d+:\d\d.*Incoming video call · \d+:\d\d/)
  }, 120_000)

  it('audio calls each way between Firefox and Chromium: no camera opens, no video is sent', async () => {
    await poll(alice.callState).toBe('none')
    await poll(bobCallState).toBe('none')
    await alice.click('contact-bob')
    await bob.getByTestId('contact-alice').click()
    await ff.evaluate(RECORD_MEDIA)
    await bob.evaluate(RECORD_MEDIA)
    // Firefox calls: Chromium reads the kind from Firefox's offer.
    await alice.click('call-audio')
    await poll(alice.callState).toBe('ringing')
    expect(await bob.getByTestId('call-incoming-title').textContent()).toBe('Audio call from alice')
    await bob.getByTestId('call-accept').click()
    await poll(alice.callState).toBe('connected')
    await poll(bobCallState).toBe('connected')
    await audioFlowing(bobStats)
    await audioFlowing(alice.stats)
    expect(await mediaUsed()).toEqual({ alice: AUDIO_ONLY, bob: AUDIO_ONLY })
    await alice.click('call-hangup')
    await poll(bobCallState).toBe('none')
    await poll(alice.callState).toBe('none')

    // Chromium calls: Firefox reads the kind from Chromium's offer.
    await ff.evaluate(RECORD_MEDIA)
    await bob.evaluate(RECORD_MEDIA)
    await bob.getByTestId('call-audio').click()
    await poll(alice.text('call-incoming-title')).toBe('Audio call from bob')
    await alice.click('call-accept')
    await poll(alice.callState).toBe('connected')
    await poll(bobCallState).toBe('connected')
    await audioFlowing(alice.stats)
    await audioFlowing(bobStats)
    expect(await mediaUsed()).toEqual({ alice: AUDIO_ONLY, bob: AUDIO_ONLY })
    await bob.getByTestId('call-hangup').click()
    await poll(alice.callState).toBe('none')
    await poll(bobCallState).toBe('none')
  }, 120_000)

  it('sends a file from Firefox and receives one there, checksums matching', async () => {
    const out = randomBytes(300 * 1024)
    const path = join(dir.path, 'from-firefox.bin')
    writeFileSync(path, out)
    const input = await ff.$(sel('file-input'))
    await (input as unknown as { uploadFile: (file: string) => Promise<void> }).uploadFile(path)
    const offer = bobBubble('from-firefox.bin')
    await offer.getByTestId('file-accept').click()
    const href = await offer.getByTestId('file-download').getAttribute('href')
    expect(await bob.evaluate(digestOf, href!)).toBe(createHash('sha256').update(out).digest('hex'))

    const back = randomBytes(200 * 1024)
    await bob.getByTestId('file-input').setInputFiles({
      name: 'to-firefox.bin',
      mimeType: 'application/octet-stream',
      buffer: back,
    })
    await (await alice.inBubble('to-firefox.bin', 'file-accept')).click()
    await alice.inBubble('to-firefox.bin', 'file-download')
    const got = await ff.evaluate(
      () =>
        [...document.querySelectorAll('[data-testid="message"]')]
          .find((e) => e.textContent?.includes('to-firefox.bin'))
          ?.querySelector('[data-testid="file-download"]')
          ?.getAttribute('href') ?? null,
    )
    expect(await ff.evaluate(digestOf, got!)).toBe(createHash('sha256').update(back).digest('hex'))
  }, 90_000)

  it('at 360 px wide shows one pane at a time, and the conversation is usable', async () => {
    await ff.setViewport({ width: 360, height: 740 })
    await alice.gone('contacts')
    await alice.click('back')
    await alice.gone('conversation')
    await alice.click('contact-bob')
    await alice.gone('contacts')
    for (const id of ['message-input', 'message-send']) {
      const box = await ff.evaluate((s) => {
        const r = document.querySelector(s)?.getBoundingClientRect()
        return { left: r?.left ?? -1, right: r?.right ?? -1, width: r?.width ?? 0 }
      }, sel(id))
      expect(box.width, id).toBeGreaterThan(0)
      expect(box.left, id).toBeGreaterThanOrEqual(0)
      expect(box.right, id).toBeLessThanOrEqual(360)
    }
    await alice.fill('message-input', 'from a small Firefox')
    await alice.click('message-send')
    await poll(alice.bubble('from a small Firefox')).toEqual({ sender: 'alice', state: 'read' })
    expect(await bobBubble('from a small Firefox').getAttribute('data-sender')).toBe('alice')
  }, 60_000)
})
