/**
 * The web client: its state reducer on its own, then the real thing in
 * Chromium. Two fresh devices (`parley up` on profiles with no account) print
 * their sign-in links; alice and bob each open theirs in a browser context of
 * their own, sign up, become contacts and chat, and the receipts, the unread
 * count, typing, status and search show on the page; a file crosses with its
 * progress bar. Then alice's window shrinks to 360 px and the conversation is
 * still usable.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet, type Devnet } from '../src/devnet/devnet.js'
import { linkParts, safeHref } from '../web/src/links.js'
import { BODY_CHARS, messageNotification, titleFor, unreadTotal, type Viewing } from '../web/src/notify.js'
import { compareMessages, initialState, reduce, unreadIds, type ChatState } from '../web/src/state.js'
import { dayLabel, timeline } from '../web/src/timeline.js'
import type { ListedContact, Message } from '../web/src/types.js'
import { launchBrowser } from './support/browser.js'
import { api, type ApiError } from './support/chat.js'
import { checkScreen } from './support/look.js'
import { notificationsOf, RECORD_NOTIFICATIONS } from './support/notifications.js'
import { startDaemon, tempDir, type Daemon } from './support/process.js'

const ROOT = join(import.meta.dirname, '..')
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS ?? join(ROOT, 'test-results', 'web')
const PASSWORD = 'correct horse battery'
/** A real 1×1 PNG, for a profile picture. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const WAIT_MS = 30_000

// ---- the reducer, without a browser -------------------------------------------------

const message = (over: Partial<Message>): Message => ({
  id: '00',
  conversation: 'bob',
  sender: 'alice',
  senderDevice: 'd1',
  lamport: 1,
  sentAt: 0,
  text: 'hi',
  edited: false,
  deleted: false,
  state: 'sending',
  held: false,
  kind: 'text',
  ...over,
})
const contact = (username: string, over: Partial<ListedContact> = {}): ListedContact => ({
  username,
  state: 'accepted',
  greeting: '',
  updatedAt: 0,
  presence: 'online',
  presenceAt: 0,
  unread: 0,
  name: '',
  mood: '',
  avatarAt: 0,
  ...over,
})
const withBob = (): ChatState => ({
  ...initialState('alice'),
  contacts: [contact('bob')],
  open: 'bob',
})

describe('web client state', () => {
  it('orders messages as every device does: Lamport time, sender device, id', () => {
    const a = message({ id: 'aa', lamport: 2, senderDevice: 'd2' })
    const b = message({ id: '01', lamport: 2, senderDevice: 'd1' })
    const c = message({ id: 'ff', lamport: 1, senderDevice: 'd9' })
    expect([a, b, c].sort(compareMessages).map((m) => m.id)).toEqual(['ff', '01', 'aa'])
  })

  it('never moves an own message back: a late send answer does not undo "delivered"', () => {
    let s = withBob()
    const m = message({ id: 'aa' })
    s = reduce(s, { type: 'notice', notice: { type: 'message', message: m }, now: 0, focused: true })
    s = reduce(s, {
      type: 'notice',
      notice: { type: 'message-updated', message: { ...m, state: 'delivered' } },
      now: 0,
      focused: true,
    })
    s = reduce(s, { type: 'message', message: m })
    expect(s.messages.map((x) => x.state)).toEqual(['delivered'])
  })

  it('counts unread messages of conversations not in view, and reads only what was on screen', () => {
    let s = reduce(withBob(), { type: 'open', username: undefined })
    const incoming = (id: string) =>
      message({ id, sender: 'bob', senderDevice: 'b1', state: 'received', lamport: Number.parseInt(id, 16) })
    s = reduce(s, {
      type: 'notice',
      notice: { type: 'message', message: incoming('01') },
      now: 0,
      focused: true,
    })
    expect(s.contacts[0]?.unread).toBe(1)
    s = reduce(s, { type: 'open', username: 'bob' })
    s = reduce(s, { type: 'history', username: 'bob', messages: [incoming('01')] })
    expect(unreadIds(s)).toEqual({ count: 1, ids: ['01'] })
    // A message comes while the read call is on its way: it stays unread.
    s = reduce(s, {
      type: 'notice',
      notice: { type: 'message', message: incoming('02') },
      now: 0,
      focused: true,
    })
    s = reduce(s, { type: 'read', username: 'bob', ids: ['01'] })
    expect(unreadIds(s)).toEqual({ count: 1, ids: ['02'] })
  })

  it("shows typing until the sender's message or the timeout, and keeps held messages out", () => {
    let s = withBob()
    s = reduce(s, { type: 'notice', notice: { type: 'typing', username: 'bob' }, now: 1_000, focused: true })
    expect(s.typing.bob).toBeGreaterThan(1_000)
    expect(reduce(s, { type: 'tick', now: 1_000 + 60_000 }).typing).toEqual({})
    const held = message({ id: 'cc', sender: 'bob', state: 'received', held: true })
    const after = reduce(s, {
      type: 'notice',
      notice: { type: 'message', message: held },
      now: 0,
      focused: true,
    })
    expect(after.messages).toEqual([])
    const text = message({ id: 'dd', sender: 'bob', state: 'received' })
    s = reduce(s, { type: 'notice', notice: { type: 'message', message: text }, now: 2_000, focused: true })
    expect(s.typing).toEqual({})
  })

  it('shows our own status turning away by itself and back, apart from the contacts', () => {
    let s: ChatState = { ...withBob(), status: 'online' }
    s = reduce(s, {
      type: 'notice',
      notice: { type: 'presence', username: 'alice', status: 'away' },
      now: 0,
      focused: true,
    })
    expect(s.status).toBe('away')
    expect(s.contacts[0]!.presence).toBe('online')
    s = reduce(s, {
      type: 'notice',
      notice: { type: 'presence', username: 'bob', status: 'dnd' },
      now: 0,
      focused: true,
    })
    expect([s.status, s.contacts[0]!.presence]).toEqual(['away', 'dnd'])
  })

  it('takes a request off the list once it is answered', () => {
    let s = reduce(initialState('alice'), {
      type: 'requests',
      requests: [{ ...contact('carol', { state: 'pending' }), held: [] }],
    })
    s = reduce(s, { type: 'contact', contact: contact('carol', { state: 'accepted' }) })
    expect(s.requests).toEqual([])
    expect(s.contacts.map((c) => [c.username, c.state])).toEqual([['carol', 'accepted']])
  })
})

// ---- the client in Chromium against real devices ---------------------------------

describe('web client message text', () => {
  it('makes web and mail links of what a person means by one, and leaves the rest text', () => {
    expect(linkParts('see https://example.org/a_(b). ok')).toEqual([
      'see ',
      { href: 'https://example.org/a_(b)', text: 'https://example.org/a_(b)' },
      '. ok',
    ])
    expect(linkParts('www.example.com, then')).toEqual([
      { href: 'http://www.example.com/', text: 'www.example.com' },
      ', then',
    ])
    expect(linkParts('write to me@example.org')).toEqual([
      'write to ',
      { href: 'mailto:me@example.org', text: 'me@example.org' },
    ])
    expect(linkParts('no links here')).toEqual(['no links here'])
  })

  it('never makes a link of javascript:, data:, ftp:, a scheme-relative or a bare IP address', () => {
    for (const text of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://files.example.org',
      '//example.org/x',
      'at 10.0.0.1 today',
    ])
      expect(linkParts(text), text).toEqual([text])
    expect(safeHref('javascript:alert(1)')).toBeUndefined()
    expect(safeHref('vbscript:msgbox')).toBeUndefined()
    // A quote ends the link: what follows stays text (and React escapes any attribute anyway).
    expect(linkParts('https://evil.example/"onmouseover=alert(1)')).toEqual([
      { href: 'https://evil.example/', text: 'https://evil.example/' },
      '"onmouseover=alert(1)',
    ])
  })

  it('separates days and marks where the unread messages begin', () => {
    const noon = new Date(2026, 11, 7, 12).getTime()
    const hour = 3_600_000
    expect(dayLabel(noon - hour, noon)).toBe('Today')
    expect(dayLabel(noon - 24 * hour, noon)).toBe('Yesterday')
    expect(dayLabel(new Date(2025, 0, 2).getTime(), noon)).toContain('2025')
    const msgs = [
      message({ id: '01', sender: 'alice', sentAt: noon - 25 * hour }),
      message({ id: '02', sender: 'bob', sentAt: noon - 2 * hour, lamport: 2 }),
      message({ id: '03', sender: 'bob', sentAt: noon - hour, lamport: 3 }),
    ]
    const rows = (unread: number) =>
      timeline(msgs, 'alice', unread, noon).map((r) =>
        r.type === 'day' ? r.label : r.type === 'unread' ? 'new' : r.message.id,
      )
    expect(rows(0)).toEqual(['Yesterday', '01', 'Today', '02', '03'])
    expect(rows(1)).toEqual(['Yesterday', '01', 'Today', '02', 'new', '03'])
    expect(rows(2)).toEqual(['Yesterday', '01', 'Today', 'new', '02', '03'])
    // More unread than are loaded: the marker goes before the first of theirs.
    expect(rows(5)).toEqual(['Yesterday', '01', 'Today', 'new', '02', '03'])
  })
})

describe('web client notifications', () => {
  const fromBob = (over: Partial<Message> = {}) => ({
    type: 'message' as const,
    message: message({
      sender: 'bob',
      conversation: 'bob',
      state: 'received',
      text: 'are you there?',
      ...over,
    }),
  })
  const looking: Viewing = { me: 'alice', open: 'bob', focused: true, status: 'online' }

  it("notifies of a contact's message only when its conversation is not in view", () => {
    expect(messageNotification(fromBob(), looking)).toBeUndefined()
    expect(messageNotification(fromBob(), { ...looking, focused: false })).toEqual({
      title: 'bob',
      body: 'are you there?',
      tag: 'parley-bob',
      conversation: 'bob',
    })
    expect(messageNotification(fromBob(), { ...looking, open: 'carol' })?.title).toBe('bob')
    expect(messageNotification(fromBob(), { ...looking, open: undefined })?.title).toBe('bob')
  })

  it('stays quiet in Do not disturb, for our own messages, held requests and anything but a new message', () => {
    const away = { ...looking, focused: false }
    expect(messageNotification(fromBob(), { ...away, status: 'dnd' })).toBeUndefined()
    expect(messageNotification(fromBob({ sender: 'alice', state: 'sent' }), away)).toBeUndefined()
    expect(messageNotification(fromBob({ held: true }), away)).toBeUndefined()
    expect(messageNotification({ type: 'typing', username: 'bob' }, away)).toBeUndefined()
    expect(messageNotification({ type: 'message-updated', message: fromBob().message }, away)).toBeUndefined()
  })

  it('says what a file offer or a call is instead of its JSON, and shortens long text to one line', () => {
    const away = { ...looking, focused: false }
    expect(messageNotification(fromBob({ kind: 'file', text: '{"name":"a.bin"}' }), away)?.body).toBe(
      'Sent a file',
    )
    const long = messageNotification(fromBob({ text: `line one\n${'x'.repeat(400)}` }), away)!.body
    expect(long).toHaveLength(BODY_CHARS)
    expect(long.startsWith('line one x')).toBe(true)
    expect(long.endsWith('…')).toBe(true)
  })

  it("puts the unread count of accepted contacts' conversations in the title", () => {
    const s = { contacts: [contact('bob', { unread: 2 }), contact('carol', { unread: 1 })] }
    expect(unreadTotal(s)).toBe(3)
    expect(titleFor(unreadTotal(s))).toBe('(3) Parley')
    expect(unreadTotal({ contacts: [contact('eve', { state: 'pending', unread: 4 })] })).toBe(0)
    expect(titleFor(0)).toBe('Parley')
  })
})

const dir = tempDir('parley-web-')
let net: Devnet
let browser: Browser
const devices: Daemon[] = []
let failed = false
const users = new Map<string, { context: BrowserContext; page: Page }>()

const page = (user: string): Page => users.get(user)!.page
const byTestId = (user: string, id: string) => page(user).getByTestId(id)
const bubble = (user: string, text: string) => byTestId(user, 'message').filter({ hasText: text })
/** Waits for a value on the page: what a user would see once the network has done its part. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS, interval: 100 })
const attr = (user: string, id: string, name: string) => () => byTestId(user, id).getAttribute(name)

/** A fresh device with no account, and a browser context that opened its sign-in link. */
async function arrive(user: string): Promise<void> {
  // `parley up` on a new profile writes api.json before its logger has made the profile's folder
  // (pino's mkdir is asynchronous): made here until the node makes it itself.
  mkdirSync(join(net.home, 'profiles', user), { recursive: true, mode: 0o700 })
  const daemon = await startDaemon(
    ['up', '--profile', user, '--fast-reattach', '--away-after', '0'],
    /no account on profile/,
    {
      env: { PARLEY_HOME: net.home, PARLEY_AUTHORITY: net.authorityUrl },
    },
  )
  devices.push(daemon)
  const link = /sign-in link: (\S+)/.exec(daemon.output())?.[1]
  if (link === undefined) throw new Error(`no sign-in link in:\n${daemon.output()}`)
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
  context.setDefaultTimeout(WAIT_MS)
  await context.addInitScript(RECORD_NOTIFICATIONS)
  const p = await context.newPage()
  users.set(user, { context, page: p })
  await p.goto(link)
}

describe('web client in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')))
      throw new Error('the web client is not built: run node scripts/ensure.mjs (npm test does)')
    browser = await launchBrowser()
    net = await startDevnet({ dir: dir.path, megas: 1, supernodes: 2, fastReattach: true })
    await Promise.all(['alice', 'bob'].map(arrive))
  }, 600_000)

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
    // A failure keeps the devnet's folder (every node's log, the devices' chat.sqlite), as PARLEY_KEEP=1 does.
    if (process.env.PARLEY_KEEP === undefined && !failed) dir.remove()
    else console.log(`kept ${dir.path}`)
  })

  it('signs up through the sign-in link; a bad password is refused in words', async () => {
    await byTestId('alice', 'signup-username').fill('alice')
    await byTestId('alice', 'signup-password').fill('short')
    await byTestId('alice', 'signup-submit').click()
    expect(await byTestId('alice', 'error').textContent()).toContain('at least 10 characters')
    await checkScreen(page('alice'), 'sign-in')
    for (const user of ['alice', 'bob']) {
      await byTestId(user, 'signup-username').fill(user)
      await byTestId(user, 'signup-password').fill(PASSWORD)
      await byTestId(user, 'signup-device').fill(`${user}'s browser`)
      await byTestId(user, 'signup-submit').click()
    }
    for (const user of ['alice', 'bob']) await poll(() => byTestId(user, 'me').textContent()).toBe(user)
  }, 120_000)

  it('alice adds bob with a greeting; bob accepts', async () => {
    await byTestId('alice', 'add-contact-username').fill('bob')
    await byTestId('alice', 'add-contact-greeting').fill('hi bob, alice here')
    await byTestId('alice', 'add-contact-submit').click()
    expect(await byTestId('alice', 'contact-bob').getAttribute('data-state')).toBe('requested')

    expect(await byTestId('bob', 'request-alice-greeting').textContent()).toBe('hi bob, alice here')
    await byTestId('bob', 'request-alice-accept').click()
    await poll(attr('alice', 'contact-bob', 'data-state')).toBe('accepted')
    expect(await byTestId('bob', 'contact-alice').getAttribute('data-state')).toBe('accepted')
    await byTestId('bob', 'request-alice').waitFor({ state: 'detached' })
    await poll(attr('alice', 'contact-bob-presence', 'data-presence')).toBe('online')
    await poll(attr('bob', 'contact-alice-presence', 'data-presence')).toBe('online')
    await checkScreen(page('alice'), 'contacts')
  }, 90_000)

  it('chats both ways: delivered, unread, read, typing, Shift+Enter for a new line', async () => {
    await byTestId('alice', 'contact-bob').click()
    await byTestId('alice', 'message-input').fill('hello bob')
    await byTestId('alice', 'message-input').press('Enter')
    expect(await byTestId('alice', 'message-input').inputValue()).toBe('')
    expect(await bubble('alice', 'hello bob').getAttribute('data-sender')).toBe('alice')
    // bob has not opened the conversation: delivered to his device, unread there.
    await poll(() => bubble('alice', 'hello bob').getAttribute('data-state')).toBe('delivered')
    expect(await byTestId('bob', 'contact-alice-unread').textContent()).toBe('1')

    await byTestId('bob', 'contact-alice').click()
    expect(await bubble('bob', 'hello bob').getAttribute('data-state')).toBe('received')
    await poll(() => bubble('alice', 'hello bob').getAttribute('data-state')).toBe('read')
    await byTestId('bob', 'contact-alice-unread').waitFor({ state: 'detached' })

    const input = byTestId('bob', 'message-input')
    await input.pressSequentially('hi alice,')
    expect(await byTestId('alice', 'typing-indicator').textContent()).toBe('bob is typing…')
    await input.press('Shift+Enter')
    await input.pressSequentially('two lines')
    await byTestId('bob', 'message-send').click()
    const reply = bubble('alice', 'two lines')
    expect(await reply.getByTestId('message-text').textContent()).toBe('hi alice,\ntwo lines')
    expect(await reply.getAttribute('data-sender')).toBe('bob')
    await byTestId('alice', 'typing-indicator').waitFor({ state: 'detached' })
    // alice has the conversation open in a focused window: bob sees it read.
    await poll(() => bubble('bob', 'two lines').getAttribute('data-state')).toBe('read')
    await checkScreen(page('alice'), 'conversation')
  }, 90_000)

  it('sends a file: bob accepts, the progress bar fills, the download matches', async () => {
    const bytes = randomBytes(512 * 1024)
    await byTestId('alice', 'file-input').setInputFiles({
      name: 'notes.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    })
    const offer = bubble('bob', 'notes.bin')
    await offer.getByTestId('file-accept').waitFor()
    await checkScreen(page('bob'), 'file-offer', { themes: ['light', 'dark'] })
    await offer.getByTestId('file-accept').click()
    const bar = offer.getByTestId('file-progress')
    await poll(() => bar.evaluate((el) => (el as unknown as { value: number }).value)).toBe(bytes.byteLength)
    expect(await bar.evaluate((el) => (el as unknown as { max: number }).max)).toBe(bytes.byteLength)
    const href = await offer.getByTestId('file-download').getAttribute('href')
    const sum = await page('bob').evaluate(async (h) => {
      const body = await (await fetch(h)).arrayBuffer()
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
      return [...digest].map((x) => x.toString(16).padStart(2, '0')).join('')
    }, href!)
    expect(sum).toBe(createHash('sha256').update(bytes).digest('hex'))
    // alice can download what she sent from the start.
    await bubble('alice', 'notes.bin').getByTestId('file-download').waitFor()
  }, 90_000)

  it('alice takes back a file offer: Cancel, and bob sees it cancelled with nothing to accept', async () => {
    await byTestId('alice', 'file-input').setInputFiles({
      name: 'draft.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not this one'),
    })
    const offer = bubble('bob', 'draft.txt')
    await offer.getByTestId('file-accept').waitFor()
    await bubble('alice', 'draft.txt').getByTestId('file-cancel').click()
    await poll(() => offer.getAttribute('data-file-state')).toBe('cancelled')
    await offer.getByTestId('file-accept').waitFor({ state: 'detached' })
    await poll(() => bubble('alice', 'draft.txt').getAttribute('data-file-state')).toBe('cancelled')
    await bubble('alice', 'draft.txt').getByTestId('file-download').waitFor({ state: 'detached' })
  }, 60_000)

  it("shows a contact's status: alice goes do-not-disturb, then online", async () => {
    await byTestId('alice', 'status-select').selectOption('dnd')
    await poll(attr('bob', 'contact-alice-presence', 'data-presence')).toBe('dnd')
    await byTestId('alice', 'status-select').selectOption('online')
    await poll(attr('bob', 'contact-alice-presence', 'data-presence')).toBe('online')
  }, 60_000)

  it('notifies bob of a message he is not looking at, counts it in the title, and stays quiet in Do not disturb', async () => {
    const bob = page('bob')
    const probe = (what: string) => bob.evaluate<unknown>(`window.__notify.${what}`)
    const shown = async () => (await notificationsOf(bob)).map((n) => `${n.title}: ${n.body}`)
    // Never asked on load: the sidebar offers it, and asks on the click.
    expect(await probe('asked')).toBe(0)
    await byTestId('bob', 'notify-prompt').waitFor()
    await checkScreen(bob, 'notify-prompt', { themes: ['light', 'dark'] })
    // What the user's "Allow" in the browser's prompt does (a headless browser shows none).
    await users.get('bob')!.context.grantPermissions(['notifications'])
    await byTestId('bob', 'notify-enable').click()
    await byTestId('bob', 'notify-prompt').waitFor({ state: 'detached' })
    expect(await probe('asked')).toBe(1)

    // bob switches to another window: alice's conversation stays open behind it.
    await bob.evaluate(`document.hasFocus = () => false; window.dispatchEvent(new Event('blur'))`)
    await byTestId('alice', 'message-input').fill('are you there?')
    await byTestId('alice', 'message-input').press('Enter')
    await poll(shown).toEqual(['alice: are you there?'])
    await poll(() => bob.title()).toBe('(1) Parley')

    // Do not disturb: counted, not shown.
    await byTestId('bob', 'status-select').selectOption('dnd')
    await poll(attr('alice', 'contact-bob-presence', 'data-presence')).toBe('dnd')
    await byTestId('alice', 'message-input').fill('call me when you can')
    await byTestId('alice', 'message-input').press('Enter')
    await poll(() => bob.title()).toBe('(2) Parley')
    expect(await shown()).toEqual(['alice: are you there?'])

    // The notification's click brings the conversation forward; once seen, the title is plain again.
    await byTestId('bob', 'status-select').selectOption('online')
    await bob.evaluate(
      `delete document.hasFocus; window.__notify.shown[0].notification.onclick(new Event('click')); window.dispatchEvent(new Event('focus'))`,
    )
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')
    await poll(() => bob.title()).toBe('Parley')
    await poll(() => bubble('alice', 'call me when you can').getAttribute('data-state')).toBe('read')
  }, 90_000)

  it('searches every conversation; a result opens its conversation', async () => {
    await byTestId('bob', 'search-input').fill('hello')
    const result = byTestId('bob', 'search-result')
    expect(await result.textContent()).toContain('hello bob')
    expect(await result.getAttribute('data-conversation')).toBe('alice')
    await checkScreen(page('bob'), 'search')
    await result.click()
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')
    await byTestId('bob', 'search-result').waitFor({ state: 'detached' })
  }, 60_000)

  it('at 360 px wide shows one pane at a time, and the conversation is usable', async () => {
    const p = page('alice')
    await p.setViewportSize({ width: 360, height: 740 })
    // The open conversation fills the screen; back leads to the contact list.
    await byTestId('alice', 'contacts').waitFor({ state: 'hidden' })
    await byTestId('alice', 'back').click()
    await byTestId('alice', 'conversation').waitFor({ state: 'detached' })
    await byTestId('alice', 'contact-bob').click()
    await byTestId('alice', 'contacts').waitFor({ state: 'hidden' })

    for (const id of ['message-input', 'message-send']) {
      const box = await byTestId('alice', id).boundingBox()
      expect(box, id).not.toBeNull()
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(360)
    }
    await byTestId('alice', 'message-input').fill('from a small screen')
    await byTestId('alice', 'message-send').click()
    const sent = bubble('alice', 'from a small screen')
    const box = await sent.boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(360)
    expect(await bubble('bob', 'from a small screen').getAttribute('data-sender')).toBe('alice')
    await poll(() => sent.getAttribute('data-state')).toBe('read')
    await checkScreen(p, '360px')
  }, 60_000)

  it('shows links, the day and where the unread messages begin; Ctrl+K finds a contact', async () => {
    const bob = page('bob')
    // bob leaves the conversation (the back button shows on a narrow screen), then two messages come.
    await bob.setViewportSize({ width: 360, height: 740 })
    await byTestId('bob', 'back').click()
    await byTestId('bob', 'conversation').waitFor({ state: 'detached' })
    await bob.setViewportSize({ width: 1100, height: 800 })
    for (const text of ['read https://example.org/guide_(v2).', 'not a link: javascript:alert(1)']) {
      await byTestId('alice', 'message-input').fill(text)
      await byTestId('alice', 'message-input').press('Enter')
    }
    await poll(() => byTestId('bob', 'contact-alice-unread').textContent()).toBe('2')

    await bob.keyboard.press('Control+k')
    expect(await bob.evaluate<string | null>(`document.activeElement?.dataset.testid ?? null`)).toBe(
      'search-input',
    )
    await bob.keyboard.type('ali')
    await byTestId('bob', 'search-contact').filter({ hasText: 'alice' }).click()
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')

    const rows = () =>
      bob.evaluate<string[]>(
        `[...document.querySelectorAll('[data-testid=messages] > li')].map((li) => li.dataset.testid === 'message' ? (li.querySelector('[data-testid=message-text]')?.textContent ?? 'other') : li.dataset.testid)`,
      )
    await poll(async () => (await rows()).includes('unread-marker')).toBe(true)
    const shown = await rows()
    expect(shown[0]).toBe('day-separator')
    expect(await byTestId('bob', 'day-separator').last().textContent()).toBe('Today')
    expect(shown.filter((r) => r === 'unread-marker')).toHaveLength(1)
    expect(shown.slice(shown.indexOf('unread-marker') + 1)).toEqual([
      'read https://example.org/guide_(v2).',
      'not a link: javascript:alert(1)',
    ])
    const link = bubble('bob', 'guide_(v2)').getByTestId('message-link')
    expect(await link.getAttribute('href')).toBe('https://example.org/guide_(v2)')
    expect(await link.textContent()).toBe('https://example.org/guide_(v2)')
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer')
    expect(await link.getAttribute('target')).toBe('_blank')
    expect(await bubble('bob', 'javascript:alert(1)').getByTestId('message-link').count()).toBe(0)
    await checkScreen(bob, 'conversation-links', { themes: ['light', 'dark'] })
  }, 60_000)

  it('replies quote their message, reactions cross both ways, and what is not one emoji is refused', async () => {
    // bob answers alice's last message as a reply.
    const quoted = bubble('bob', 'not a link: javascript:alert(1)')
    await quoted.click()
    await quoted.getByTestId('message-reply').click()
    expect(await byTestId('bob', 'replying-to').textContent()).toContain('Replying to alice')
    await byTestId('bob', 'message-input').fill('that one is plain text indeed')
    await byTestId('bob', 'message-input').press('Enter')
    await byTestId('bob', 'replying-to').waitFor({ state: 'detached' })
    const reply = (user: string) => bubble(user, 'that one is plain text indeed')
    expect(await reply('bob').getByTestId('message-quote').textContent()).toBe(
      'alice not a link: javascript:alert(1)',
    )
    expect(await reply('alice').getByTestId('message-quote').textContent()).toBe(
      'You not a link: javascript:alert(1)',
    )

    // alice reacts from the quick choices; bob sees it.
    await reply('alice').getByTestId('message-text').click()
    await reply('alice').locator('[data-testid=react-quick][data-emoji="👍"]').click()
    const chips = async (user: string) => {
      const all = reply(user).getByTestId('reaction')
      const shown: string[] = []
      for (let i = 0; i < (await all.count()); i++) {
        const chip = all.nth(i)
        const pressed = (await chip.getAttribute('aria-pressed')) === 'true'
        shown.push(`${await chip.textContent()}${pressed ? '*' : ''}`)
      }
      return shown
    }
    await poll(() => chips('bob')).toEqual(['👍 1'])

    // bob picks any emoji of his own: a word is refused in the page, one emoji goes.
    await reply('bob').getByTestId('message-text').click()
    await reply('bob').getByTestId('react-other').click()
    await reply('bob').getByTestId('react-other-input').fill('hello')
    expect(await reply('bob').getByTestId('react-other-error').textContent()).toBe('One emoji only')
    await reply('bob').getByTestId('react-other-input').fill('🦄')
    await reply('bob').getByTestId('react-other-input').press('Enter')
    await poll(() => chips('alice')).toEqual(['👍 1*', '🦄 1'])
    // bob joins alice's 👍 instead: each user has one reaction on a message.
    await reply('bob').locator('[data-testid=reaction][data-emoji="👍"]').click()
    await poll(() => chips('alice')).toEqual(['👍 2*'])
    await checkScreen(page('alice'), 'reactions', { themes: ['light', 'dark'] })

    // Refused by the device with a stable code: a reaction on no message, a sentence as a reaction.
    const refusal = (path: string, body: unknown) =>
      api(net.home, 'bob', path, body).then(
        () => 'accepted',
        (err: ApiError) => `${err.status} ${err.code}`,
      )
    expect(await refusal(`/v1/chat/react/${'00'.repeat(16)}`, { emoji: '👍' })).toBe('404 not_found')
    const id = await reply('bob').getAttribute('data-id')
    expect(await refusal(`/v1/chat/react/${id}`, { emoji: 'nice work' })).toBe('409 invalid_field')
    expect(await refusal('/v1/chat/messages/alice', { text: 'x', replyTo: 'nope' })).toBe('400 invalid_field')
  }, 90_000)

  it('profiles: alice sets a name, a mood and a picture, and bob sees them; what is not a picture is refused in words', async () => {
    // alice's window was left 360 px wide, the conversation filling it: the sidebar shows again.
    await page('alice').setViewportSize({ width: 1100, height: 800 })
    await byTestId('alice', 'settings-open').click()
    await byTestId('alice', 'profile-form').waitFor()
    // A text file that says it is a PNG: the page cannot draw it.
    await byTestId('alice', 'profile-avatar-input').setInputFiles({
      name: 'me.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a picture at all'),
    })
    expect(await byTestId('alice', 'profile-note').textContent()).toContain('That file is not a picture')
    await byTestId('alice', 'profile-avatar-input').setInputFiles({
      name: 'me.png',
      mimeType: 'image/png',
      buffer: PNG,
    })
    await poll(() => byTestId('alice', 'profile-avatar').getAttribute('src')).toMatch(/^blob:/)
    await byTestId('alice', 'profile-name').fill('Alice Liddell')
    await byTestId('alice', 'profile-mood').fill('down the rabbit hole')
    await byTestId('alice', 'profile-save').click()
    expect(await byTestId('alice', 'profile-note').textContent()).toBe('Saved: your contacts will see it.')
    await checkScreen(page('alice'), 'settings-profile', { themes: ['light', 'dark'] })

    await poll(() => byTestId('bob', 'contact-alice-name').textContent()).toBe('Alice Liddell')
    expect(await byTestId('bob', 'contact-alice-line').textContent()).toBe('down the rabbit hole')
    await poll(() => byTestId('bob', 'contact-alice-avatar').getAttribute('src')).toMatch(/^blob:/)
    // Made 96 px in alice's page, whatever the picture was.
    await poll(() =>
      page('bob').evaluate<number>(
        `document.querySelector('[data-testid=contact-alice-avatar]').naturalWidth`,
      ),
    ).toBe(96)
    await checkScreen(page('bob'), 'contacts-profile', { themes: ['light', 'dark'] })

    // The device refuses what a page did not make small, in words.
    const big = Buffer.concat([PNG, Buffer.alloc(40 * 1024)]).toString('base64')
    await expect(api(net.home, 'alice', '/v1/chat/profile', { avatar: big })).rejects.toMatchObject({
      status: 409,
      code: 'invalid_field',
      message: 'an avatar is at most 32 KiB (41 KiB given)',
    })
    await expect(
      api(net.home, 'alice', '/v1/chat/profile', {
        avatar: Buffer.from('<svg onload=alert(1)>').toString('base64'),
      }),
    ).rejects.toMatchObject({ code: 'invalid_field', message: 'an avatar is a PNG, JPEG or WebP image' })
    // Back to the conversation, as the tests after this one expect.
    await byTestId('alice', 'contact-bob').click()
    await byTestId('alice', 'conversation').waitFor()
  }, 90_000)

  it('signs alice in on a second device: the Sign in form, then her contacts and history are there', async () => {
    await arrive('alice-2')
    await byTestId('alice-2', 'setup-signin').click()
    await byTestId('alice-2', 'signin-username').fill('alice')
    await byTestId('alice-2', 'signin-password').fill(PASSWORD)
    await byTestId('alice-2', 'signin-device').fill("alice's second browser")
    await byTestId('alice-2', 'signin-submit').click()
    await poll(() => byTestId('alice-2', 'me').textContent()).toBe('alice')
    // Backfilled from her first device: the contact, then the conversation.
    await poll(attr('alice-2', 'contact-bob', 'data-state')).toBe('accepted')
    await byTestId('alice-2', 'contact-bob').click()
    expect(await bubble('alice-2', 'hello bob').getAttribute('data-sender')).toBe('alice')
    expect(await bubble('alice-2', 'two lines').getAttribute('data-sender')).toBe('bob')
  }, 120_000)

  it('reopens on the conversation that was open last, after a reload', async () => {
    const bob = page('bob')
    await byTestId('bob', 'contact-alice').click()
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')
    await bob.reload()
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')
    await bubble('bob', 'hello bob').waitFor()
  }, 60_000)

  it('passes axe in the dark theme too: contacts, conversation, search, settings, and at 360 px', async () => {
    // The system turns dark (checkScreen's themes); the page follows it: no theme was chosen in Settings.
    const bob = page('bob')
    await checkScreen(bob, 'conversation', { themes: ['dark'] })
    await byTestId('bob', 'search-input').fill('hello')
    await byTestId('bob', 'search-result').first().waitFor()
    await checkScreen(bob, 'search', { themes: ['dark'] })
    await byTestId('bob', 'search-input').fill('')
    await byTestId('bob', 'settings-open').click()
    await byTestId('bob', 'settings').waitFor()
    await checkScreen(bob, 'settings-contacts', { themes: ['light', 'dark'] })

    // alice's window is 360 px wide: the conversation, the contact list, and Settings alone on screen.
    const alice = page('alice')
    await alice.setViewportSize({ width: 360, height: 740 })
    if (!(await byTestId('alice', 'conversation').isVisible())) await byTestId('alice', 'contact-bob').click()
    await checkScreen(alice, '360px', { themes: ['dark'] })
    await byTestId('alice', 'back').click()
    await byTestId('alice', 'contacts').waitFor()
    await checkScreen(alice, 'contacts', { themes: ['dark'] })
    await byTestId('alice', 'settings-open').click()
    await byTestId('alice', 'contacts').waitFor({ state: 'hidden' })
    const box = await byTestId('alice', 'settings-sign-out').boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(360)
    await checkScreen(alice, 'settings-360px', { themes: ['light', 'dark'] })
  }, 90_000)

  it('Tab from the message box reaches Send, which shows a focus ring of 2 px or more', async () => {
    const bob = page('bob')
    await byTestId('bob', 'contact-alice').click()
    await byTestId('bob', 'message-input').fill('a draft')
    await byTestId('bob', 'message-input').focus()
    await bob.keyboard.press('Tab')
    const ring = () =>
      bob.evaluate<string>(
        `(() => { const el = document.activeElement; const s = getComputedStyle(el); return [el.dataset.testid, s.outlineStyle, s.outlineWidth].join(' ') })()`,
      )
    const [focused, style, width] = (await ring()).split(' ')
    expect(focused).toBe('message-send')
    expect(style).not.toBe('none')
    expect(Number.parseFloat(width ?? '0')).toBeGreaterThanOrEqual(2)
    // The ring stays on screen through both themes' checks (and their screenshots).
    await checkScreen(bob, 'focus-ring', { themes: ['light', 'dark'] })
    expect(await ring()).toBe(`message-send ${style} ${width}`)
    await byTestId('bob', 'message-input').fill('')
  }, 60_000)

  it("Esc closes the 'any emoji' box, then the message's actions", async () => {
    const hello = bubble('bob', 'hello bob')
    await hello.getByTestId('message-text').click()
    await hello.getByTestId('react-other').click()
    await hello.getByTestId('react-other-input').waitFor()
    await page('bob').keyboard.press('Escape')
    await hello.getByTestId('react-other-input').waitFor({ state: 'detached', timeout: 5_000 })
    // Only the box closed: the actions stay, the focus back on the button that opened it.
    expect(await page('bob').evaluate<string>(`document.activeElement?.dataset.testid ?? ''`)).toBe(
      'react-other',
    )
    await page('bob').keyboard.press('Escape')
    await hello.getByTestId('message-reply').waitFor({ state: 'detached', timeout: 5_000 })
  }, 60_000)

  it("the conversation's header shows the contact's display name and picture over the username", async () => {
    await byTestId('bob', 'contact-alice').click()
    await poll(() => byTestId('bob', 'conversation-name').textContent({ timeout: 1_000 })).toBe(
      'Alice Liddell',
    )
    expect(await byTestId('bob', 'conversation-title').textContent()).toBe('alice')
    await poll(() => byTestId('bob', 'conversation-avatar').getAttribute('src', { timeout: 1_000 })).toMatch(
      /^blob:/,
    )
    // alice has no display name: her header names bob by his username alone.
    await page('alice').setViewportSize({ width: 1100, height: 800 })
    await byTestId('alice', 'contact-bob').click()
    expect(await byTestId('alice', 'conversation-title').textContent()).toBe('bob')
    expect(await byTestId('alice', 'conversation-name').count()).toBe(0)
  }, 60_000)
})
