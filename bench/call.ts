/**
 * Call setup time in the web client, beside a bare WebRTC call.
 *
 * A devnet (1 mega-supernode, 2 supernodes, coturn when installed) with alice
 * and bob's devices, contacts. In headless Chromium with a fake camera and
 * microphone, alice's web client calls bob's, who accepts at once (a script
 * presses Accept as it shows); setup time is from the click on Call to the
 * first remote video frame on alice's page. Beside it, in the same browser,
 * a bare call between two plain pages whose offer, answer and candidates the
 * bench passes along itself (no Parley), with the same ICE servers (the
 * devnet's TURN server) unless `--raw-ice none`. Prints p50/p90 of each and the ratio
 * (goal: Parley within 1.2x of raw, issue 12), and where each call's time
 * went: the pages' marks, and the device's own stages for each signal.
 * First, without browsers, the devices' own share: one signal at a time from
 * alice's page socket to bob's (bench/call/devices.ts), back to back, then
 * each after 3.5 s idle (as a call's ring comes, its lookups expired).
 *
 *   npm run bench:call -- [--calls 20] [--signals 200] [--raw-ice parley|none]
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startDevnet } from '../src/devnet/devnet.js'
import { introduce, signInLink } from '../src/devnet/introduce.js'
import { signalPath, signalPathTable } from './call/devices.js'
import { MARKS, PARLEY_CALLER, PARLEY_SETUP, RAW } from './call/pages.js'
import { Cleanup, withTimeout } from './support/cleanup.js'
import { percentile } from './support/load.js'
import { tempDir } from './support/process.js'
import { figure, formatTable } from './support/report.js'

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium'
const ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--no-first-run',
]
const CALL_TIMEOUT_MS = 30_000
/** Past the devices' 3 s lookup cache (src/chat/lookups.ts): a call's first signal finds it expired. */
const IDLE_MS = 3_500
const IDLE_SIGNALS = 10
/** Parley's call setup p50 within this many times raw WebRTC's (issue 12; it was 1.5 before). */
const GOAL = 1.2
const USAGE = `npm run bench:call -- [--calls N] [--signals S] [--raw-ice parley|none]

Call setup (click to first remote video frame) in the web client on a devnet,
beside a bare WebRTC call in the same browser; N measured calls of each
(default 20, 0 for none), after one of each not counted. Before them, S
signals (default 200, 0 for none) one at a time from alice's page socket to
bob's, without browsers: the devices' own share; then 10 more, each after
3.5 s idle, as a call's first signal comes. The bare call uses the ICE
servers Parley's pages get from their device (--raw-ice parley, the
default: the same TURN server), or none, host candidates only (--raw-ice
none, what the baseline used before 2026-12-07 12:00). Needs Chromium
(PARLEY_CHROMIUM, default /usr/bin/chromium); coturn is used when installed.`

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The q-quantile (0–1) of unsorted values, by the one percentile every benchmark uses. */
const quantile = (xs: readonly number[], q: number): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q * 100,
  )

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

type Marks = Map<string, number>

/** Each page's first mark of each kind in this call, as ms after the click; then the marks are cleared. */
async function takeMarks(pages: Map<string, Page>): Promise<Marks> {
  const all: [string, number][] = []
  for (const [user, page] of pages) {
    const marks = await page.evaluate(() => {
      const w = globalThis as unknown as { __marks: [string, number][] }
      return w.__marks.splice(0)
    })
    for (const [what, at] of marks) all.push([`${user}: ${what}`, at])
  }
  const click = all.find(([what]) => what.endsWith(': click'))?.[1] ?? Number.NaN
  const out: Marks = new Map()
  for (const [what, at] of all) if (!out.has(what)) out.set(what, at - click)
  return out
}

interface Call {
  ms: number
  marks: Marks
}

/** Opens alice's and bob's web clients; the returned function makes one call and hangs it up. */
async function openParley(browser: Browser, home: string): Promise<() => Promise<Call>> {
  const pages = new Map<string, Page>()
  for (const [user, peer] of [
    ['alice', 'bob'],
    ['bob', 'alice'],
  ] as const) {
    const page = await (await browser.newContext()).newPage()
    await page.addInitScript(MARKS)
    await page.goto(await signInLink(home, user))
    await page.getByTestId(`contact-${peer}`).click()
    await until(
      `${user} to see ${peer} online`,
      async () =>
        (await page.getByTestId(`contact-${peer}-presence`).getAttribute('data-presence')) === 'online',
    )
    await page.evaluate(PARLEY_SETUP)
    pages.set(user, page)
  }
  const alice = pages.get('alice')!
  return async () => {
    const ms = await withTimeout(alice.evaluate<number>(PARLEY_CALLER), CALL_TIMEOUT_MS, 'a Parley call')
    const marks = await takeMarks(pages)
    await alice.getByTestId('call-hangup').click()
    await alice.getByTestId('call-close').click()
    await alice.getByTestId('call-state').waitFor({ state: 'detached' })
    // bob's side has heard the hang-up before the next ring.
    await pages.get('bob')!.getByTestId('call-close').waitFor()
    await sleep(200)
    await takeMarks(pages)
    return { ms, marks }
  }
}

/**
 * The ICE servers and transport policy alice's device gives her page's calls (`GET
 * /v1/call/ice-servers`: the devnet's TURN server, fresh credentials), as an RTCConfiguration.
 */
async function parleyIceConfig(home: string): Promise<unknown> {
  const api = JSON.parse(readFileSync(join(home, 'profiles', 'alice', 'api.json'), 'utf8')) as {
    url: string
    token: string
  }
  const res = await fetch(`${api.url}/v1/call/ice-servers`, {
    headers: { authorization: `Bearer ${api.token}` },
    signal: AbortSignal.timeout(20_000),
  })
  const r = (await res.json()) as { iceServers: unknown[]; iceTransportPolicy?: string }
  return {
    iceServers: r.iceServers,
    ...(r.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: r.iceTransportPolicy }),
  }
}

/** Each mark's median offset from the click, in the order they happen. */
function breakdown(marks: readonly Marks[]): string {
  const names = new Set(marks.flatMap((m) => [...m.keys()]))
  const rows = [...names]
    .map((name) => {
      const xs = marks.map((m) => m.get(name)).filter((x) => x !== undefined)
      return { name, p50: quantile(xs, 0.5), seen: xs.length }
    })
    .sort((a, b) => a.p50 - b.p50)
  return formatTable(
    [{ title: 'mark (page: what)', align: 'left' }, { title: 'p50 ms after click' }, { title: 'calls' }],
    rows.map((r) => [r.name, figure(r.p50), String(r.seen)]),
  )
}

/** An RTCConfiguration's ICE servers in words, without their credentials. */
function describeConfig(config: unknown): string {
  const c = (config ?? {}) as { iceServers?: { urls: string | string[] }[] }
  const urls = (c.iceServers ?? []).flatMap((s) => s.urls)
  return urls.length > 0 ? urls.join(' ') : 'no ICE servers'
}

/** A page on 127.0.0.1 (a secure context, so the camera is allowed) with nothing on it. */
async function blankServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.end('<!doctype html><title>raw</title><body></body>'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }
}

/** Opens the two plain pages, with `config` for their calls; the returned function makes one bare call and hangs it up. */
async function openRaw(browser: Browser, url: string, config: unknown): Promise<() => Promise<Call>> {
  const caller = await (await browser.newContext()).newPage()
  const callee = await (await browser.newContext()).newPage()
  const pages = new Map([
    ['caller', caller],
    ['callee', callee],
  ])
  for (const [page, other] of [
    [caller, callee],
    [callee, caller],
  ] as const) {
    await page.exposeBinding('__signal', (_src, m: unknown) => {
      other
        .evaluate((msg) => (globalThis as unknown as { __recv: (m: unknown) => void }).__recv(msg), m)
        .catch(() => undefined)
    })
    await page.addInitScript(MARKS)
    await page.goto(url)
    await page.evaluate(RAW)
    await page.evaluate((c) => ((globalThis as unknown as { rawConfig: unknown }).rawConfig = c), config)
  }
  return async () => {
    const ms = await withTimeout(caller.evaluate<number>('window.rawCall()'), CALL_TIMEOUT_MS, 'a raw call')
    const marks = await takeMarks(pages)
    await caller.evaluate('window.rawHangup()')
    await callee.evaluate('window.rawHangup()')
    await sleep(200)
    await takeMarks(pages)
    return { ms, marks }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '20' },
      signals: { type: 'string', default: '200' },
      'raw-ice': { type: 'string', default: 'parley' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    console.log(USAGE)
    return
  }
  const calls = Math.max(0, Number(values.calls ?? 20) || 0)
  const signals = Math.max(0, Number(values.signals ?? 200) || 0)
  const rawIce = values['raw-ice']
  if (rawIce !== 'parley' && rawIce !== 'none') throw new Error(`--raw-ice parley|none, not ${rawIce}`)
  const cleanup = new Cleanup()
  try {
    const dir = tempDir('parley-bench-call-')
    cleanup.add('remove the devnet folder', () => dir.remove())
    console.log('starting a devnet with alice and bob…')
    const net = await startDevnet({
      dir: dir.path,
      megas: 1,
      supernodes: 2,
      namedDevices: ['alice', 'bob'],
      fastReattach: true,
    })
    cleanup.add('stop the devnet', () => net.stop())
    await until('alice and bob to be contacts', () => introduce(net.home, 'alice', 'bob', 5_000), 90_000)
    if (signals > 0) {
      // 20 not counted: the first push dials, the first lookups fill the caches.
      await signalPath(net.home, 20)
      console.log(`\nthe devices' share, without browsers: ${signals} signals, one at a time\n`)
      console.log(signalPathTable(await signalPath(net.home, signals)))
      console.log(
        `\nand ${IDLE_SIGNALS} signals each after ${IDLE_MS / 1000} s idle, as a call's ring comes\n`,
      )
      console.log(signalPathTable(await signalPath(net.home, IDLE_SIGNALS, IDLE_MS)))
    }
    if (calls === 0) return
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
    cleanup.add('close the browser', () => browser.close())
    const { url, server } = await blankServer()
    cleanup.add('stop the page server', () => new Promise<void>((r) => server.close(() => r())))

    // The same ICE servers (TURN) and policy as Parley's pages, unless asked otherwise.
    const rawConfig = rawIce === 'parley' ? await parleyIceConfig(net.home) : undefined
    const rawCall = await openRaw(browser, url, rawConfig)
    const parleyCall = await openParley(browser, net.home)
    // One call of each first, not counted (the first camera start, page warm-up); then
    // they take turns, so both see the same machine.
    await rawCall()
    await parleyCall()
    const rawMeasured: Call[] = []
    const measured: Call[] = []
    for (let i = 0; i < calls; i++) {
      rawMeasured.push(await rawCall())
      measured.push(await parleyCall())
    }
    const raw = rawMeasured.map((c) => c.ms)
    const parley = measured.map((c) => c.ms)

    const p50 = { raw: quantile(raw, 0.5), parley: quantile(parley, 0.5) }
    const rows = [
      ['raw WebRTC (bench passes signals)', raw],
      ['Parley web client (ring, accept, over Parley)', parley],
    ] as const
    console.log(`\ncall setup: click → first remote video frame on the caller, ${calls} calls each, loopback`)
    console.log(`TURN: ${net.turnUrls.length > 0 ? net.turnUrls.join(' ') : 'none (coturn not installed)'}`)
    console.log(
      `raw WebRTC's configuration: ${rawIce === 'parley' ? "Parley's pages' (" + describeConfig(rawConfig) + ')' : 'host candidates only'}\n`,
    )
    console.log(
      formatTable(
        [
          { title: 'call', align: 'left' },
          { title: 'p50 ms' },
          { title: 'p90 ms' },
          { title: 'min ms' },
          { title: 'max ms' },
          { title: 'vs raw p50' },
        ],
        rows.map(([name, t]) => [
          name,
          figure(quantile(t, 0.5)),
          figure(quantile(t, 0.9)),
          figure(Math.min(...t)),
          figure(Math.max(...t)),
          `${figure(quantile(t, 0.5) / p50.raw)}x`,
        ]),
      ),
    )
    console.log('\nwhere a raw call setup goes:\n')
    console.log(breakdown(rawMeasured.map((c) => c.marks)))
    console.log('\nwhere a Parley call setup goes (signals as the pages send and hear them):\n')
    console.log(breakdown(measured.map((c) => c.marks)))
    const ratio = p50.parley / p50.raw
    console.log(
      `\ngoal: Parley within ${GOAL}x of raw: ${ratio <= GOAL ? 'met' : 'NOT met'} (${figure(ratio)}x)`,
    )
  } finally {
    await cleanup.run()
  }
}

await main()
