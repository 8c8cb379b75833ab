/**
 * Calls in the web client: the signal routing on its own, then two devices on
 * a devnet with alice and bob (contacts) in Chromium's fake camera and
 * microphone. alice calls, bob accepts, media flows both ways (bob's inbound
 * counters rise), mute and camera off turn the local tracks off, hang up ends
 * it on both sides, and the conversation shows the call; a declined call
 * shows as declined. An audio call opens no camera on either side, sends no
 * video, and shows the peer's initials instead of video.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { introduce, signInLink } from '../src/devnet/introduce.js'
import { callEntry, callEventText, whenText, withCall } from '../web/src/call-history.js'
import { offerKind, parseSignal, parseSignals, route, type CallRef } from '../web/src/call-signal.js'
import { initials } from '../web/src/initials.js'
import { ringing } from '../web/src/ringing.js'
import { ringtoneWav } from '../web/src/ringtone.js'
import { choiceOf } from '../web/src/sw-call.js'
import { messageNotification } from '../web/src/notify.js'
import type { Message, Notice } from '../web/src/types.js'
import { launchBrowser } from './support/browser.js'
import { checkScreen, contrastOf } from './support/look.js'
import { api, signIn, up } from './support/chat.js'
import { eventually } from './support/devnet.js'
import { tempDir, type Daemon } from './support/process.js'

const ROOT = join(import.meta.dirname, '..')
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? join(ROOT, 'test-results', 'web-call')
const WAIT_MS = 30_000

// ---- the signal routing, without a browser --------------------------------------------

const ref = (over: Partial<CallRef> = {}): CallRef => ({
  id: 'c1',
  peer: 'bob',
  incoming: false,
  answered: false,
  leg: undefined,
  ended: false,
  ...over,
})

describe('call signals', () => {
  it('parses only well-formed signals', () => {
    expect(parseSignal('{"call":"c1","type":"hangup"}')).toEqual({ call: 'c1', type: 'hangup' })
    expect(parseSignal('{"call":"c1","type":"ring"}')).toBeUndefined()
    expect(parseSignal('{"call":"c1","type":"dance"}')).toBeUndefined()
    expect(parseSignal('not json')).toBeUndefined()
    const batch = '[{"call":"c1","type":"candidate","candidate":{}},{"call":"c1","type":"hangup"},{"x":1}]'
    expect(parseSignals(batch).map((x) => x.type)).toEqual(['candidate', 'hangup'])
    expect(parseSignal(`{"call":"c1","type":"hangup","x":"${'a'.repeat(70_000)}"}`)).toBeUndefined()
  })

  it('rings when free, answers busy when not, and ignores its own rings', () => {
    const ring = { call: 'c2', type: 'ring' as const, sdp: { type: 'offer' as const, sdp: 'v=0' } }
    expect(route(undefined, 'alice', 'bob', ring)).toBe('ring')
    expect(route(ref({ ended: true }), 'alice', 'bob', ring)).toBe('ring')
    expect(route(ref({ peer: 'carol' }), 'alice', 'bob', ring)).toBe('busy')
    expect(route(undefined, 'alice', 'alice', ring)).toBe('ignore')
  })

  it('stops ringing when another device of ours answers, and follows the first callee device', () => {
    const ringing = ref({ peer: 'alice', incoming: true })
    expect(route(ringing, 'bob', 'bob', { call: 'c1', type: 'accept', leg: 'b2' })).toBe('taken')
    expect(route(ringing, 'bob', 'alice', { call: 'c1', type: 'hangup' })).toBe('apply')
    expect(route(ringing, 'bob', 'alice', { call: 'c9', type: 'hangup' })).toBe('ignore')
    const calling = ref()
    expect(route(calling, 'alice', 'bob', { call: 'c1', type: 'accept', leg: 'b1' })).toBe('apply')
    const following = ref({ answered: true, leg: 'b1' })
    expect(route(following, 'alice', 'bob', { call: 'c1', type: 'answer', leg: 'b2' })).toBe('ignore')
    expect(
      route(following, 'alice', 'bob', { call: 'c1', type: 'candidate', leg: 'b1', candidate: {} }),
    ).toBe('apply')
    expect(route(following, 'alice', 'bob', { call: 'c1', type: 'decline' })).toBe('ignore')
    expect(route(following, 'alice', 'carol', { call: 'c1', type: 'hangup' })).toBe('ignore')
  })

  it('tells an audio call from a video one by its offer: no video m-line, audio', () => {
    const audio = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n'
    const video = `${audio}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n`
    expect(offerKind(audio)).toBe('audio')
    expect(offerKind(video)).toBe('video')
    // A video m-line turned off (port 0) sends no video.
    expect(offerKind(`${audio}m=video 0 UDP/TLS/RTP/SAVPF 96\r\n`)).toBe('audio')
    // No offer to read: video, as every call was before there were audio calls.
    expect(offerKind(undefined)).toBe('video')
    expect(initials('alice')).toBe('A')
    expect(initials('mary.lee')).toBe('ML')
    expect(initials('_x-y_z')).toBe('XY')
    expect(initials('...')).toBe('?')
  })

  it('shows call events in words, each side its own way, with the kind and an old event without one', () => {
    const ev = (what: string, kind?: string, durationMs = 0) =>
      JSON.stringify({ call: 'c1', what, durationMs, kind })
    // The caller writes the event: its sender reads it as outgoing, the callee as incoming.
    expect(callEventText(ev('ended', 'video', 151_000), true)).toBe('Outgoing video call · 2:31')
    expect(callEventText(ev('ended', 'audio', 12_000), false)).toBe('Incoming audio call · 0:12')
    expect(callEventText(ev('missed', 'audio'), false)).toBe('Missed audio call')
    expect(callEventText(ev('missed', 'audio'), true)).toBe('Outgoing audio call · no answer')
    expect(callEventText(ev('declined', 'video'), true)).toBe('Declined video call')
    expect(callEventText(ev('declined', 'video'), false)).toBe('Declined video call')
    // Written before calls had kinds (or by an older page): still readable.
    expect(callEventText('{"call":"c1","what":"ended","durationMs":65000}', false)).toBe(
      'Incoming call · 1:05',
    )
    expect(callEventText('{"call":"c1","what":"missed","durationMs":0}', false)).toBe('Missed call')
    expect(callEventText('{"call":"c1","what":"missed","kind":"hologram"}', false)).toBe('Missed call')
    expect(callEventText('not json', false)).toBe('Call')
  })

  it('lists calls newest first with direction and unread, and says when', () => {
    const msg = (id: string, sender: string, sentAt: number, what: string, state = 'received') =>
      ({
        id,
        conversation: 'alice',
        sender,
        senderDevice: 'd',
        lamport: sentAt,
        sentAt,
        text: JSON.stringify({ call: id, what, durationMs: 0, kind: 'audio' }),
        edited: false,
        deleted: false,
        state,
        held: false,
        kind: 'call',
      }) as Message
    const missed = msg('m1', 'alice', 2_000, 'missed')
    expect(callEntry(missed, 'bob')).toMatchObject({ direction: 'incoming', what: 'missed', unread: true })
    expect(callEntry({ ...missed, state: 'read' }, 'bob').unread).toBe(false)
    expect(callEntry(msg('m2', 'bob', 1_000, 'ended', 'delivered'), 'bob')).toMatchObject({
      direction: 'outgoing',
      peer: 'alice',
      unread: false,
    })
    const list = withCall(withCall([], msg('m2', 'bob', 1_000, 'ended'), 2), missed, 2)
    expect(list.map((m) => m.id)).toEqual(['m1', 'm2'])
    expect(withCall(list, msg('m3', 'bob', 3_000, 'ended'), 2).map((m) => m.id)).toEqual(['m3', 'm1'])
    const now = new Date(2026, 11, 7, 15, 0).getTime()
    expect(whenText(new Date(2026, 11, 7, 9, 5).getTime(), now, 'en-GB')).toBe('09:05')
    expect(whenText(new Date(2026, 11, 6, 9, 5).getTime(), now, 'en-GB')).toBe('Yesterday 09:05')
    expect(whenText(new Date(2026, 11, 1, 9, 5).getTime(), now, 'en-GB')).toBe('1 Dec 09:05')
  })

  it('rings with sound and, out of view, a notification; in Do not disturb neither', () => {
    const view = {
      id: 'c1',
      peer: 'alice',
      incoming: true,
      kind: 'audio',
      phase: 'ringing',
      connectedAt: undefined,
      muted: false,
      cameraOff: false,
      local: undefined,
      remote: undefined,
      outcome: undefined,
    } as const
    expect(ringing(view, 'online', true)).toEqual({ sound: true, notification: undefined })
    expect(ringing(view, 'away', false)).toEqual({
      sound: true,
      notification: {
        title: 'Audio call from alice',
        body: 'Open Parley to answer or decline.',
        tag: 'parley-call-c1',
        conversation: 'alice',
      },
    })
    expect(ringing(view, 'dnd', false)).toEqual({ sound: false, notification: undefined })
    expect(ringing({ ...view, phase: 'connecting' }, 'online', false).sound).toBe(false)
    expect(ringing({ ...view, incoming: false }, 'online', false).sound).toBe(false)
    expect(ringing(undefined, 'online', false).sound).toBe(false)
  })

  it('notifies the callee of a missed call in words, and of no call it answered or declined', () => {
    const event = (what: string): Notice => ({
      type: 'message',
      message: {
        id: 'e1',
        conversation: 'alice',
        sender: 'alice',
        senderDevice: 'd',
        lamport: 1,
        sentAt: 1,
        text: JSON.stringify({ call: 'c1', what, durationMs: what === 'ended' ? 12_000 : 0, kind: 'audio' }),
        edited: false,
        deleted: false,
        state: 'received',
        held: false,
        kind: 'call',
      },
    })
    const away = { me: 'bob', open: undefined, focused: false, status: 'online' } as const
    expect(messageNotification(event('missed'), away)).toMatchObject({
      title: 'alice',
      body: 'Missed audio call',
    })
    expect(messageNotification(event('ended'), away)).toBeUndefined()
    expect(messageNotification(event('declined'), away)).toBeUndefined()
    expect(messageNotification(event('missed'), { ...away, status: 'dnd' })).toBeUndefined()
  })

  it("reads a click on a call's notification: its Accept or Decline, or the notification itself", () => {
    const data = { type: 'parley-call', call: 'c1', peer: 'alice', page: 'p1' }
    const told = { type: 'parley-call-choice', call: 'c1', peer: 'alice', page: 'p1' }
    expect(choiceOf(data, 'accept')).toEqual({ ...told, choice: 'accept' })
    expect(choiceOf(data, 'decline')).toEqual({ ...told, choice: 'decline' })
    expect(choiceOf(data, '')).toEqual({ ...told, choice: 'open' })
    expect(choiceOf(data, 'format-disk')).toEqual({ ...told, choice: 'open' })
    // Not a call's notification (a message's has no data), or a malformed one: nothing to tell.
    expect(choiceOf(undefined, 'accept')).toBeUndefined()
    expect(choiceOf({ ...data, type: 'other' }, 'accept')).toBeUndefined()
    expect(choiceOf({ ...data, call: 1 }, 'accept')).toBeUndefined()
  })

  it('makes its ringtone as a WAV: a RIFF header and one 2.8 s cycle of 16-bit samples', () => {
    const wav = ringtoneWav(8_000)
    const v = new DataView(wav.buffer)
    const ascii = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4))
    expect([ascii(0), ascii(8), ascii(12), ascii(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data'])
    expect(v.getUint32(24, true)).toBe(8_000)
    expect(v.getUint32(40, true)).toBe(2.8 * 8_000 * 2)
    expect(wav.byteLength).toBe(44 + 2.8 * 8_000 * 2)
    // Sound in the bursts, silence in the pause.
    const sample = (s: number) => Math.abs(v.getInt16(44 + Math.round(s * 8_000) * 2, true))
    expect(Math.max(...[0.1, 0.11, 0.12, 0.13].map(sample))).toBeGreaterThan(1_000)
    expect(sample(2)).toBe(0)
  })
})

// ---- the client in Chromium against real devices -----------------------------------

const dir = tempDir('parley-web-call-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
const daemons = new Map<string, Daemon>()
const pages = new Map<string, Page>()
let failed = false

const page = (user: string): Page => pages.get(user)!
const byTestId = (user: string, id: string) => page(user).getByTestId(id)
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS, interval: 100 })
const callState = (user: string) => () =>
  byTestId(user, 'call-state')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => 'none')
/** The numbers the page's test hook gives (call-engine.ts CallStats). */
interface CallStats {
  audio: { bytes: number; packets: number }
  video: { bytes: number; frames: number }
}
const stats = (user: string) => page(user).evaluate<CallStats | undefined>('window.__parleyCallStats?.()')
/** Whether the local preview's tracks of a kind are enabled. */
const localEnabled = (user: string, kind: 'audio' | 'video') =>
  page(user).evaluate<boolean | undefined>(
    `document.querySelector('[data-testid="call-local-video"]')?.srcObject` +
      `?.getTracks().find((t) => t.kind === ${JSON.stringify(kind)})?.enabled`,
  )
/**
 * What each page shows of its call, and each device's last call-signal warnings: a failure's message
 * says which side lost the call (the summary at the end of a CI log shows only an error's first lines).
 */
async function scene(): Promise<string> {
  const screens: string[] = []
  for (const user of pages.keys()) {
    const el = byTestId(user, 'call-state')
    const state = await el.getAttribute('data-state', { timeout: 1_000 }).catch(() => 'none')
    const outcome = await el.getAttribute('data-outcome', { timeout: 1_000 }).catch(() => null)
    screens.push(`${user} ${state}${outcome === null ? '' : ` (${outcome})`}`)
  }
  const warnings = [...daemons].flatMap(([profile, d]) =>
    d
      .output()
      .split('\n')
      .filter((l) => /call signal/.test(l))
      .slice(-2)
      .map((l) => `${profile}: ${l.slice(0, 200)}`),
  )
  return [`screens: ${screens.join(', ')}`, ...warnings].join('\n')
}

/** Waits for a call screen element to show (or go), and says what every page shows if it does not. */
async function shows(user: string, id: string, state: 'visible' | 'detached' = 'visible'): Promise<void> {
  try {
    await byTestId(user, id).waitFor({ state })
  } catch (err) {
    const what = state === 'visible' ? 'never showed' : 'still shows'
    throw new Error(`${user} ${what} ${id}: ${(err as Error).message.split('\n')[0]}\n${await scene()}`, {
      cause: err,
    })
  }
}

/**
 * Run in each page before its own scripts: records what it asks getUserMedia for and every
 * RTCPeerConnection it makes, so a test can see whether a call asked for the camera or sends video.
 */
const RECORD_MEDIA = `(() => {
  window.__gum = []
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
/** The constraints the page asked getUserMedia for, since the last forgetMedia(). */
const askedMedia = (user: string) =>
  page(user).evaluate<Array<{ audio?: unknown; video?: unknown }>>('window.__gum')
const forgetMedia = (user: string) => page(user).evaluate('window.__gum = []')
/** The kinds of the tracks the page's last RTCPeerConnection sends, sorted. */
const sentKinds = (user: string) =>
  page(user).evaluate<string[]>('window.__pcs.at(-1).getSenders().map((s) => s.track?.kind ?? "none").sort()')
/** The m-lines' media of the page's last RTCPeerConnection, local and remote description (offer, answer). */
const mLines = (user: string) =>
  page(user).evaluate<{ local: string[]; remote: string[] }>(`(() => {
    const pc = window.__pcs.at(-1)
    const media = (d) => [...(d?.sdp ?? '').matchAll(/^m=(\\w+)/gm)].map((m) => m[1])
    return { local: media(pc.localDescription), remote: media(pc.remoteDescription) }
  })()`)
/** Whether the page's last RTCPeerConnection's audio track is enabled (not muted). */
const sendingAudio = (user: string) =>
  page(user).evaluate<boolean | undefined>(
    'window.__pcs.at(-1).getSenders().find((s) => s.track?.kind === "audio")?.track.enabled',
  )

const callEvents = (user: string) =>
  page(user)
    .locator('[data-kind="call"]')
    .allTextContents()
    .then((t) => t.join('|'))

describe('calls in the web client', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')))
      throw new Error('the web client is not built: run node scripts/ensure.mjs (npm test does)')
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
    // Profiles: alice, bob and carol, and bob-2, bob's second device.
    for (const [profile, user] of [
      ['alice', 'alice'],
      ['bob', 'bob'],
      ['carol', 'carol'],
      ['bob-2', 'bob'],
    ] as const) {
      await signIn(net, profile, user)
      const d = await up(net, profile, ['--away-after', '0'])
      devices.push(d)
      daemons.set(profile, d)
    }
    for (const [a, b] of [
      ['alice', 'bob'],
      ['carol', 'bob'],
      ['alice', 'carol'],
    ] as const)
      await eventually(async () => ((await introduce(net.home, a, b, 5_000)) ? true : undefined), 60_000)
    // bob accepted on his first device; his second learns it from that device, well within the
    // minute the offline store's fetch would take (else carol's call would not ring it).
    await eventually(async () => {
      const { contacts } = await api<{ contacts: { username: string; state: string }[] }>(
        net.home,
        'bob-2',
        '/v1/chat/contacts',
      )
      const accepted = contacts.filter((c) => c.state === 'accepted').map((c) => c.username)
      return accepted.includes('alice') && accepted.includes('carol') ? true : undefined
    }, WAIT_MS).catch((err: unknown) => {
      throw new Error(`bob-2 never had alice and carol as contacts: ${(err as Error).message}`)
    })
    browser = await launchBrowser()
    for (const [user, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
      ['carol', 'bob'],
      ['bob-2', 'alice'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
      context.setDefaultTimeout(WAIT_MS)
      await context.addInitScript(RECORD_MEDIA)
      const p = await context.newPage()
      pages.set(user, p)
      await p.goto(await signInLink(net.home, user))
      await byTestId(user, `contact-${peer}`).click()
      await eventually(
        async () =>
          (await byTestId(user, `contact-${peer}-presence`).getAttribute('data-presence')) === 'online' ||
          undefined,
        WAIT_MS,
      ).catch((err: unknown) => {
        throw new Error(`${user} never saw ${peer} online: ${(err as Error).message}`)
      })
    }
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    failed = true
    mkdirSync(SCREENSHOTS, { recursive: true })
    for (const [user, p] of pages) {
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

  it('alice calls bob: media flows, mute and camera off, hang up ends it on both sides', async () => {
    await byTestId('alice', 'call-audio-video').click()
    await poll(callState('alice')).toBe('ringing')
    await shows('bob', 'call-incoming')
    expect(await byTestId('bob', 'call-incoming-title').textContent()).toBe('Video call from alice')
    await checkScreen(pages.get('bob')!, 'ringing')
    await byTestId('bob', 'call-accept').click()
    await poll(callState('bob')).toBe('connected')
    await poll(callState('alice')).toBe('connected')
    // A video call still asks for the camera and sends video, both ways.
    for (const user of ['alice', 'bob']) {
      expect(await sentKinds(user), user).toEqual(['audio', 'video'])
      expect(await mLines(user), user).toEqual({ local: ['audio', 'video'], remote: ['audio', 'video'] })
      expect(await askedMedia(user), user).toContainEqual({ audio: true, video: true })
    }
    await byTestId('alice', 'call-duration').waitFor()
    // Mute and Camera off can be read (they were white on white), pressed or not.
    for (const id of ['call-mute', 'call-camera'])
      expect(await contrastOf(byTestId('bob', id)), id).toBeGreaterThanOrEqual(4.5)
    await checkScreen(pages.get('bob')!, 'in-call')

    const first = await eventually(async () => {
      const s = await stats('bob')
      return s !== undefined && s.video.frames > 0 && s.audio.bytes > 0 ? s : undefined
    }, WAIT_MS)
    // Media keeps flowing, not a one-off packet.
    await poll(async () => {
      const s = await stats('bob')
      return (s?.video.frames ?? 0) > first.video.frames && (s?.audio.bytes ?? 0) > first.audio.bytes
    }).toBe(true)
    await poll(async () => ((await stats('alice'))?.video.frames ?? 0) > 0).toBe(true)

    expect(await localEnabled('bob', 'audio')).toBe(true)
    await byTestId('bob', 'call-mute').click()
    expect(await localEnabled('bob', 'audio')).toBe(false)
    expect(await contrastOf(byTestId('bob', 'call-mute')), 'call-mute pressed').toBeGreaterThanOrEqual(4.5)
    await byTestId('bob', 'call-camera').click()
    expect(await localEnabled('bob', 'video')).toBe(false)
    expect(await localEnabled('bob', 'audio')).toBe(false)
    await byTestId('bob', 'call-mute').click()
    expect(await localEnabled('bob', 'audio')).toBe(true)

    await byTestId('bob', 'call-hangup').click()
    await poll(callState('bob')).toMatch(/^(ended|none)$/)
    await poll(callState('alice')).toMatch(/^(ended|none)$/)
    // Its history on both sides: which way, the kind, how long.
    await poll(() => callEvents('alice')).toMatch(/Outgoing video call · \d+:\d\d/)
    await poll(() => callEvents('bob')).toMatch(/Incoming video call · \d+:\d\d/)
    await poll(callState('alice')).toBe('none')
  }, 120_000)

  it('an audio call: no camera opens on either side, no video is sent, the peer shows by name', async () => {
    for (const user of ['alice', 'bob', 'bob-2']) {
      await poll(callState(user)).toBe('none')
      await forgetMedia(user)
    }
    // alice is on a phone: at 360 px both call buttons fit beside bob's name.
    await page('alice').setViewportSize({ width: 360, height: 740 })
    for (const id of ['call-audio', 'call-audio-video']) {
      const box = await byTestId('alice', id).boundingBox()
      expect(box, id).not.toBeNull()
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(360)
    }
    await checkScreen(page('alice'), 'call-buttons-360px')
    await byTestId('alice', 'call-audio').click()
    await poll(callState('alice')).toBe('ringing')
    await shows('bob', 'call-incoming')
    expect(await byTestId('bob', 'call-incoming-title').textContent()).toBe('Audio call from alice')
    // The preview opened the microphone alone, and says so.
    await poll(() => byTestId('bob', 'call-preview-note').textContent({ timeout: 1_000 })).toBe(
      'Your microphone is on for this preview. Nothing is sent until you accept.',
    )
    expect(await byTestId('bob', 'call-preview').count()).toBe(0)
    await checkScreen(pages.get('bob')!, 'ringing-audio')
    await byTestId('bob', 'call-accept').click()
    await poll(callState('bob')).toBe('connected')
    await poll(callState('alice')).toBe('connected')
    await byTestId('bob', 'call-duration').waitFor()
    await checkScreen(pages.get('bob')!, 'in-call-audio')
    await checkScreen(page('alice'), 'in-call-audio-360px')

    // The other's voice arrives, and keeps arriving; not a frame of video.
    const first = await eventually(async () => {
      const s = await stats('bob')
      return s !== undefined && s.audio.bytes > 0 ? s : undefined
    }, WAIT_MS)
    await poll(async () => ((await stats('bob'))?.audio.bytes ?? 0) > first.audio.bytes).toBe(true)
    await poll(async () => ((await stats('alice'))?.audio.bytes ?? 0) > 0).toBe(true)
    for (const user of ['alice', 'bob']) {
      expect((await stats(user))?.video.frames, user).toBe(0)
      expect(await sentKinds(user), user).toEqual(['audio'])
      // The offer and the answer both have the audio m-line only.
      expect(await mLines(user), user).toEqual({ local: ['audio'], remote: ['audio'] })
      // No video element to stay black: the peer's initials, and no camera button.
      expect(await page(user).locator('video').count(), user).toBe(0)
      expect(await byTestId(user, 'call-camera').count(), user).toBe(0)
      await byTestId(user, 'call-mute').waitFor()
    }
    expect(await byTestId('bob', 'call-avatar').textContent()).toBe('A')
    expect(await byTestId('alice', 'call-avatar').textContent()).toBe('B')
    // bob-2 rang too (and opened its microphone for the preview) until bob answered.
    for (const user of ['alice', 'bob', 'bob-2']) {
      const asked = await askedMedia(user)
      if (user !== 'bob-2') expect(asked.length, user).toBeGreaterThan(0)
      for (const c of asked) expect(c, user).toEqual({ audio: true, video: false })
    }

    expect(await sendingAudio('bob')).toBe(true)
    await byTestId('bob', 'call-mute').click()
    expect(await sendingAudio('bob')).toBe(false)
    await byTestId('bob', 'call-mute').click()
    expect(await sendingAudio('bob')).toBe(true)

    await byTestId('alice', 'call-hangup').click()
    await poll(callState('bob')).toMatch(/^(ended|none)$/)
    await poll(() => callEvents('alice')).toMatch(/Outgoing audio call · \d+:\d\d/)
    await poll(() => callEvents('bob')).toMatch(/Incoming audio call · \d+:\d\d/)
    await poll(callState('alice')).toBe('none')
    await page('alice').setViewportSize({ width: 1100, height: 800 })
  }, 120_000)

  it('a declined call ends on both sides and shows as declined', async () => {
    await byTestId('alice', 'call-audio-video').click()
    await byTestId('bob', 'call-decline').click()
    await poll(callState('alice')).toMatch(/^(ended|none)$/)
    await shows('bob', 'call-incoming', 'detached')
    for (const user of ['alice', 'bob']) await poll(() => callEvents(user)).toMatch(/Declined video call/)
  }, 90_000)

  it('a missed call: in both histories, unread for bob (his contact list and the title), and in the Calls list, which opens the conversation', async () => {
    for (const user of ['alice', 'bob']) await poll(callState(user)).toBe('none')
    // bob is looking at carol's conversation: alice's call, unanswered, is something he has not seen.
    await byTestId('bob', 'contact-carol').click()
    await byTestId('alice', 'call-audio').click()
    await shows('bob', 'call-incoming')
    await byTestId('alice', 'call-hangup').click()
    await shows('bob', 'call-incoming', 'detached')
    await poll(() => byTestId('bob', 'contact-alice-unread').textContent({ timeout: 1_000 })).toBe('1')
    await poll(() => page('bob').title()).toBe('(1) Parley')
    await poll(() => callEvents('alice')).toMatch(/Outgoing audio call · no answer/)

    // The Calls list, newest first: direction, kind, outcome; the missed one stands out and is counted.
    const newest = (user: string) => byTestId(user, 'call-entry').first()
    await poll(() => newest('bob').getAttribute('data-what', { timeout: 1_000 })).toBe('missed')
    expect(await newest('bob').getAttribute('data-direction')).toBe('incoming')
    expect(await newest('bob').getAttribute('data-kind')).toBe('audio')
    expect(await newest('bob').getAttribute('data-unread')).toBe('true')
    expect(await newest('bob').getByTestId('call-entry-text').textContent()).toBe('Missed audio call')
    expect(await byTestId('bob', 'calls-missed').textContent()).toBe('1')
    await poll(() => newest('alice').getByTestId('call-entry-text').textContent({ timeout: 1_000 })).toBe(
      'Outgoing audio call · no answer',
    )
    // The answered calls of the tests before, with their kind and duration, on both sides.
    const texts = (user: string) => byTestId(user, 'call-entry-text').allTextContents()
    expect((await texts('alice')).join('|')).toMatch(
      /Outgoing audio call · 0:\d\d.*Outgoing video call · 0:\d\d/,
    )
    expect((await texts('bob')).join('|')).toMatch(
      /Incoming audio call · 0:\d\d.*Incoming video call · 0:\d\d/,
    )
    // The list as bob sees it once his "call ended" screen has closed by itself.
    await poll(callState('bob')).toBe('none')
    await checkScreen(page('bob'), 'calls-list', { themes: ['light', 'dark'] })

    // A click opens alice's conversation, where the call shows; now seen, it no longer counts.
    await newest('bob').click()
    await poll(() => byTestId('bob', 'conversation').getAttribute('data-peer')).toBe('alice')
    await poll(() => callEvents('bob')).toMatch(/Missed audio call$/)
    await byTestId('bob', 'contact-alice-unread').waitFor({ state: 'detached' })
    await poll(() => page('bob').title()).toBe('Parley')
    await poll(() => newest('bob').getAttribute('data-unread')).toBe('false')
    await byTestId('bob', 'calls-missed').waitFor({ state: 'detached' })
    // Light only for now: in dark the conversation's "New messages" line (messages.css, var(--red)) is 3.2:1.
    await checkScreen(page('bob'), 'call-history')
  }, 90_000)

  it("one of bob's devices is in a call: it answers busy, his other device rings and takes alice's call", async () => {
    // carol calls bob: both his devices ring, he answers on the first, the second stops ringing.
    await byTestId('carol', 'call-audio-video').click()
    await shows('bob-2', 'call-incoming')
    await byTestId('bob', 'call-accept').click()
    await poll(callState('bob')).toBe('connected')
    await shows('bob-2', 'call-incoming', 'detached')

    // alice calls bob: the first device is busy, the second rings.
    await byTestId('alice', 'call-audio-video').click()
    await shows('bob-2', 'call-incoming')
    // The first device's busy answer reaches alice within milliseconds; she must still be ringing after it.
    await new Promise((r) => setTimeout(r, 1_500))
    expect(await callState('alice')()).toBe('ringing')
    expect(await callState('bob')()).toBe('connected')
    await byTestId('bob-2', 'call-accept').click()
    await poll(callState('alice')).toBe('connected')
    await poll(async () => ((await stats('bob-2'))?.video.frames ?? 0) > 0).toBe(true)
    // The two calls are separate: carol and bob still talk.
    expect(await callState('carol')()).toBe('connected')

    for (const user of ['alice', 'carol']) await byTestId(user, 'call-hangup').click()
    // Their "call ended" screens close by themselves (a click on Close would race that under load).
    for (const user of ['alice', 'carol']) await poll(callState(user)).toBe('none')
    for (const user of ['bob', 'bob-2']) await poll(callState(user)).toMatch(/^(ended|none)$/)
  }, 120_000)

  it("a page on another port of 127.0.0.1 cannot open alice's device socket, even with her token, nor ring bob through it", async () => {
    // No call on bob's screen, not even the last one's end.
    await poll(callState('bob')).toBe('none')
    const device = new URL(page('alice').url()).origin
    const stored = await page('alice').evaluate<string | null>("localStorage.getItem('parley.session')")
    const { token } = JSON.parse(stored ?? 'null') as { token: string }
    const hostile = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>hostile</title>'),
    )
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve))
    try {
      const tab = await page('alice').context().newPage()
      await tab.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`)
      // Its script opens the device's socket as alice's own page does, token and all, and rings bob.
      const ring = JSON.stringify({ call: 'hostile', type: 'ring', sdp: { type: 'offer', sdp: 'v=0' } })
      const outcome = await tab.evaluate<string>(`new Promise((resolve) => {
        const ws = new WebSocket(${JSON.stringify(device.replace('http', 'ws') + '/v1/ws')},
          ['parley', ${JSON.stringify(`parley-token.${token}`)}])
        ws.onopen = () => {
          ws.send(JSON.stringify({ type: 'call-signal', id: 1, to: 'bob', payload: ${JSON.stringify(ring)} }))
          resolve('open')
        }
        ws.onerror = () => resolve('refused')
      })`)
      await tab.close()
      expect(outcome).toBe('refused')
      expect(await callState('bob')()).toBe('none')
    } finally {
      hostile.close()
    }
  })

  it('calling a contact with no device online ends at once as "Not online"', async () => {
    await daemons.get('carol')!.stop('SIGTERM')
    await byTestId('alice', 'contact-carol').click()
    await poll(() =>
      byTestId('alice', 'contact-carol-presence').getAttribute('data-presence', { timeout: 1_000 }),
    ).toBe('offline')
    await byTestId('alice', 'call-audio-video').click()
    await poll(() => byTestId('alice', 'call-state').getAttribute('data-outcome', { timeout: 1_000 })).toBe(
      'unreachable',
    )
    expect(await byTestId('alice', 'call-state').textContent()).toContain('Not online')
    await poll(() => callEvents('alice')).toMatch(/Outgoing video call · no answer/)
  }, 60_000)
})
