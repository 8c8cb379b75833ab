/**
 * Debian's Firefox ESR for the browser tests, driven by puppeteer-core over
 * WebDriver BiDi (Firefox speaks it natively: no geckodriver, no Playwright
 * build of Firefox). Installed with apt-get when it is missing and we are
 * root, as Chromium is (browser.ts).
 *
 * The camera and microphone are Firefox's fake devices, granted without a
 * prompt, and ICE may use loopback addresses (Firefox leaves them out by
 * default), so two pages on 127.0.0.1 can call each other.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import puppeteer, { type Browser } from 'puppeteer-core'
import { BrowserMissingError } from './browser.js'

export const FIREFOX = process.env.PARLEY_FIREFOX ?? '/usr/bin/firefox-esr'

const INSTALL_TIMEOUT_MS = 10 * 60_000

const PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  // Quiet: no update checks, telemetry or first-run pages.
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
}

/** The path of a Firefox to drive, installing Debian's firefox-esr first when we may. */
export async function ensureFirefox(): Promise<string> {
  if (existsSync(FIREFOX)) return FIREFOX
  if (process.getuid?.() !== 0)
    throw new BrowserMissingError(
      `the Firefox tests need Firefox at ${FIREFOX}: install it with "sudo apt-get install -y firefox-esr", ` +
        'or point PARLEY_FIREFOX at another Firefox',
    )
  const apt = promisify(execFile)
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: INSTALL_TIMEOUT_MS }
  console.log('installing firefox-esr (apt-get) for the browser tests…')
  await apt('apt-get', ['update', '-q'], opts)
  await apt('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'firefox-esr'], opts)
  if (!existsSync(FIREFOX))
    throw new BrowserMissingError(`apt-get installed firefox-esr, but ${FIREFOX} is still missing`)
  return FIREFOX
}

/** A headless Firefox with fake camera and microphone. */
export async function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: await ensureFirefox(),
    headless: true,
    extraPrefsFirefox: PREFS,
  })
}
