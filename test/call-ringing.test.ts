/**
 * The callee's camera and microphone while a call rings (issue 12 §4): they
 * open as the ring comes, so that Accept does not wait for them, and the
 * ringing screen shows their preview with a note, so the user sees the
 * camera is on. However the ringing ends without this device answering
 * (declined here, hung up by the caller, answered on another device of
 * ours), the tracks are stopped: the camera light goes out. Two devices of
 * bob's and alice's in Chromium's fake camera and microphone, on a devnet.
 *
 * And the ringing itself (issue 17): the ringtone element plays while a call
 * rings and pauses however the ringing ends; a page in the background also
 * shows a system notification through the app's service worker, with Accept
 * and Decline that work as the screen's, and in Do not disturb neither sound
 * nor notification, only the screen.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { introduce, signInLink } from '../src/devnet/introduce.js'
import { launchBrowser } from './support/browser.js'
import { signIn, up } from './support/chat.js'
import { eventually } from './support/devnet.js'
import { checkScreen } from './support/look.js'
import {
  clickNotification,
  notificationsOf,
  openNotifications,
  RECORD_NOTIFICATIONS,
  toBackground,
  toForeground,
} from './support/notifications.js'
import { tempDir, type Daemon } from './support/process.js'

const ROOT = join(import.meta.dirname, '..')
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? join(ROOT, 'test-results', 'call-ringing')
const WAIT_MS = 30_000
/** How long the callee's page rings at most by itself (web/src/call-engine.ts: RING_MS + 5 s). */
const RING_LIMIT_MS = 35_000

const dir = tempDir('parley-call-ringing-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
const pages = new Map<string, Page>()
let failed = false

const byTestId = (who: string, id: string) => pages.get(who)!.getByTestId(id)
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS, interval: 100 })
const callState = (who: string) => () =>
  byTestId(who, 'call-state')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => 'none')

/** Waits for the ringing screen's preview and keeps its stream in the page, to look at after the ringing. */
async function holdPreview(who: string): Promise<string[]> {
  await byTestId(who, 'call-preview').waitFor()
  return pages.get(who)!.evaluate<string[]>(`(async () => {
    const video = document.querySelector('[data-testid="call-preview"]')
    while (!video.srcObject) await new Promise((r) => setTimeout(r, 20))
    window.__preview = video.srcObject
    return window.__preview.getTracks().map((t) => t.kind + ' ' + t.readyState).sort()
  })()`)
}

/** The held preview's tracks, as "kind readyState". */
const previewTracks = (who: string) =>
  pages
    .get(who)!
    .evaluate<string[]>(`window.__preview.getTracks().map((t) => t.kind + ' ' + t.readyState).sort()`)

/** The ringtone element as the page has it: whether it plays, and how far it got. */
const ringtone = (who: string) =>
  pages
    .get(who)!
    .evaluate<{ paused: boolean; time: number } | null>(
      `(() => { const a = document.querySelector('[data-testid="ringtone"]'); return a && { paused: a.paused, time: a.currentTime } })()`,
    )
/** The ringtone plays: not paused, and its time moves on. */
async function ringsAloud(who: string): Promise<void> {
  await poll(async () => (await ringtone(who))?.paused).toBe(false)
  const start = (await ringtone(who))!.time
  await poll(async () => (await ringtone(who))!.time).toBeGreaterThan(start + 0.2)
}

const LIVE = ['audio live', 'video live']
const STOPPED = ['audio ended', 'video ended']

describe("the callee's camera while ringing", () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')))
      throw new Error('the web client is not built: run node scripts/ensure.mjs (npm test does)')
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
    // bob-2 is bob's second device.
    for (const [profile, user] of [
      ['alice', 'alice'],
      ['bob', 'bob'],
      ['bob-2', 'bob'],
    ] as const) {
      await signIn(net, profile, user)
      devices.push(await up(net, profile, ['--away-after', '0']))
    }
    await eventually(
      async () => ((await introduce(net.home, 'alice', 'bob', 5_000)) ? true : undefined),
      60_000,
    )
    browser = await launchBrowser()
    for (const [who, user] of [
      ['alice', 'alice'],
      ['bob', 'bob'],
      ['bob-2', 'bob'],
    ] as const) {
      const peer = user === 'alice' ? 'bob' : 'alice'
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
      context.setDefaultTimeout(WAIT_MS)
      await context.addInitScript(RECORD_NOTIFICATIONS)
      await context.grantPermissions(['notifications'])
      const p = await context.newPage()
      pages.set(who, p)
      await p.goto(await signInLink(net.home, who))
      await byTestId(who, `contact-${peer}`).click()
      await eventually(
        async () =>
          (await byTestId(who, `contact-${peer}-presence`).getAttribute('data-presence')) === 'online' ||
          undefined,
        WAIT_MS,
      )
    }
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    failed = true
    mkdirSync(SCREENSHOTS, { recursive: true })
    for (const [who, p] of pages) {
      const file = join(SCREENSHOTS, `${task.name.replace(/[^a-z0-9]+/gi, '-')}-${who}.png`)
      await p.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.log(`screenshot: ${file}`)
    }
    // The next test starts with no call on any page.
    for (const who of pages.keys())
      for (const id of ['call-hangup', 'call-decline'])
        await byTestId(who, id)
          .click({ timeout: 1_000 })
          .catch(() => undefined)
  })

  afterAll(async () => {
    await browser?.close()
    for (const d of devices) await d.stop('SIGKILL')
    await net?.stop()
    if (process.env.PARLEY_KEEP === undefined && !failed) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  it('shows its preview while ringing, says so, and stops it when bob declines', async () => {
    await byTestId('alice', 'call-audio-video').click()
    expect(await holdPreview('bob')).toEqual(LIVE)
    expect(await byTestId('bob', 'call-preview-note').textContent()).toContain('camera and microphone are on')
    await checkScreen(pages.get('bob')!, 'ringing-preview')
    await ringsAloud('bob')
    await byTestId('bob', 'call-decline').click()
    await byTestId('bob', 'call-incoming').waitFor({ state: 'detached' })
    expect(await previewTracks('bob')).toEqual(STOPPED)
    // Declined: the ringtone stops at once.
    expect((await ringtone('bob'))?.paused).toBe(true)
    // alice's "call ended" screen closes by itself (a click on its Close races that under load).
    await poll(callState('alice')).toBe('none')
    // bob-2 rang too, and stops ringing (and its camera) once alice's call ends.
    await poll(callState('bob-2')).toMatch(/^(ended|none)$/)
  }, 90_000)

  it('stops it when alice hangs up while it rings', async () => {
    await poll(callState('bob')).toBe('none')
    await byTestId('alice', 'call-audio-video').click()
    expect(await holdPreview('bob')).toEqual(LIVE)
    await byTestId('alice', 'call-hangup').click()
    await byTestId('bob', 'call-incoming').waitFor({ state: 'detached' })
    await poll(() => previewTracks('bob')).toEqual(STOPPED)
    await poll(callState('alice')).toBe('none')
  }, 90_000)

  it("stops it on bob's other device when he answers on this one, and answers with the camera it showed", async () => {
    for (const who of ['bob', 'bob-2']) await poll(callState(who)).toBe('none')
    await byTestId('alice', 'call-audio-video').click()
    expect(await holdPreview('bob-2')).toEqual(LIVE)
    expect(await holdPreview('bob')).toEqual(LIVE)
    await ringsAloud('bob-2')
    await byTestId('bob', 'call-accept').click()
    await byTestId('bob-2', 'call-incoming').waitFor({ state: 'detached' })
    await poll(() => previewTracks('bob-2')).toEqual(STOPPED)
    // Answered here: the ringtone stops here, and on the other device, which stopped ringing.
    expect((await ringtone('bob'))?.paused).toBe(true)
    expect((await ringtone('bob-2'))?.paused).toBe(true)
    await poll(callState('alice')).toBe('connected')
    // The preview's own stream is what the call sends: still live, now in the call's view.
    expect(await previewTracks('bob')).toEqual(LIVE)
    expect(
      await pages
        .get('bob')!
        .evaluate<boolean>(
          `document.querySelector('[data-testid="call-local-video"]').srcObject === window.__preview`,
        ),
    ).toBe(true)
    await byTestId('alice', 'call-hangup').click()
    await poll(callState('bob')).toMatch(/^(ended|none)$/)
    expect(await previewTracks('bob')).toEqual(STOPPED)
  }, 120_000)

  it('a call bob accepted goes on past the time an unanswered ring would have ended', async () => {
    await poll(callState('bob')).toBe('none')
    await poll(callState('alice')).toBe('none')
    await byTestId('alice', 'call-audio-video').click()
    await byTestId('bob', 'call-accept').click()
    const accepted = Date.now()
    await poll(callState('bob')).toBe('connected')
    await poll(callState('alice')).toBe('connected')
    // The callee stops ringing by itself RING_MS + 5 s (35 s) after the ring, for a ring nobody answers.
    await new Promise((r) => setTimeout(r, Math.max(0, accepted + RING_LIMIT_MS + 2_000 - Date.now())))
    expect(await callState('bob')()).toBe('connected')
    expect(await callState('alice')()).toBe('connected')
    await byTestId('alice', 'call-hangup').click()
    await poll(callState('bob')).toMatch(/^(ended|none)$/)
  }, 150_000)

  it("in the background a call rings aloud with a notification whose Decline and Accept work as the screen's; the ringtone stops", async () => {
    for (const who of ['alice', 'bob', 'bob-2']) await poll(callState(who)).toBe('none')
    const bob = pages.get('bob')!
    // The app's service worker shows the notification (a page's own cannot have buttons).
    await bob.evaluate('navigator.serviceWorker.ready.then(() => true)')
    const worker = bob.context().serviceWorkers()[0] ?? (await bob.context().waitForEvent('serviceworker'))
    await toBackground(bob)
    for (const choice of ['decline', 'accept'] as const) {
      const before = (await notificationsOf(bob)).length
      await byTestId('alice', 'call-audio').click()
      await byTestId('bob', 'call-incoming').waitFor()
      await ringsAloud('bob')
      await poll(async () => (await notificationsOf(bob)).slice(before)).toEqual([
        {
          title: 'Audio call from alice',
          body: 'Open Parley to answer or decline.',
          tag: expect.stringMatching(/^parley-call-/) as string,
          requireInteraction: true,
          persistent: true,
          actions: ['accept', 'decline'],
        },
      ])
      const { tag } = (await notificationsOf(bob))[before]!
      expect(await openNotifications(bob)).toContain(tag)
      // bob-2's page is in front: its ringing screen says it all, no notification there.
      await ringsAloud('bob-2')
      expect(await notificationsOf(pages.get('bob-2')!)).toEqual([])
      await clickNotification(worker, tag, choice)
      if (choice === 'decline') {
        await byTestId('bob', 'call-incoming').waitFor({ state: 'detached' })
        await poll(() =>
          byTestId('alice', 'call-state')
            .getAttribute('data-outcome', { timeout: 1_000 })
            .catch(() => 'none'),
        ).toMatch(/^(declined|none)$/)
      } else {
        await poll(callState('bob')).toBe('connected')
        await poll(callState('alice')).toBe('connected')
      }
      // However it ended, the ringtone stops here and on bob's other device, and the notification goes.
      expect((await ringtone('bob'))?.paused).toBe(true)
      await poll(async () => (await ringtone('bob-2'))?.paused).toBe(true)
      await poll(() => openNotifications(bob)).not.toContain(tag)
      if (choice === 'accept') await byTestId('alice', 'call-hangup').click()
      for (const who of ['alice', 'bob']) await poll(callState(who)).toBe('none')
    }
    await toForeground(bob)
  }, 90_000)

  it('in Do not disturb the ringing screen shows, with no sound and no notification', async () => {
    for (const who of ['alice', 'bob', 'bob-2']) await poll(callState(who)).toBe('none')
    const bob = pages.get('bob')!
    await byTestId('bob', 'status-select').selectOption('dnd')
    const before = (await notificationsOf(bob)).length
    await toBackground(bob)
    await byTestId('alice', 'call-audio').click()
    await byTestId('bob', 'call-incoming').waitFor()
    // bob-2 shares bob's status once it hears of it; bob's own page is the one in Do not disturb here.
    await new Promise((r) => setTimeout(r, 1_000))
    expect((await ringtone('bob'))?.paused).toBe(true)
    expect((await notificationsOf(bob)).length).toBe(before)
    await toForeground(bob)
    await byTestId('bob', 'call-decline').click()
    await poll(callState('alice')).toMatch(/^(ended|none)$/)
    await byTestId('bob', 'status-select').selectOption('online')
  }, 60_000)
})
