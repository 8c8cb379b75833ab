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
import puppeteer, { type Browser } from 'puppeteer-core'
import { ensureDebianBrowser } from './browser.js'

export const FIREFOX = process.env.PARLEY_FIREFOX ?? '/usr/bin/firefox-esr'

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
export function ensureFirefox(): Promise<string> {
  return ensureDebianBrowser(FIREFOX, 'firefox-esr', 'PARLEY_FIREFOX', ['--no-install-recommends'])
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
