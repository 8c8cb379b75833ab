/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which
 * brings no browser of its own). Installed with apt-get when it is missing
 * and we are root; otherwise the tests stop with a message saying how.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium'

const ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

const INSTALL_TIMEOUT_MS = 10 * 60_000

export class BrowserMissingError extends Error {
  override name = 'BrowserMissingError'
}

/**
 * `path`, installing Debian's `pkg` first when it is missing and we are root;
 * otherwise a message saying how (`env` names the variable that points elsewhere).
 */
export async function ensureDebianBrowser(
  path: string,
  pkg: string,
  env: string,
  installArgs: string[] = [],
): Promise<string> {
  if (existsSync(path)) return path
  if (process.getuid?.() !== 0)
    throw new BrowserMissingError(
      `the browser tests need ${path}: install it with "sudo apt-get install -y ${pkg}", ` +
        `or point ${env} at another one`,
    )
  const apt = promisify(execFile)
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: INSTALL_TIMEOUT_MS }
  console.log(`installing ${pkg} (apt-get) for the browser tests…`)
  await apt('apt-get', ['update', '-q'], opts)
  await apt('apt-get', ['install', '-y', '-q', ...installArgs, pkg], opts)
  if (!existsSync(path))
    throw new BrowserMissingError(`apt-get installed ${pkg}, but ${path} is still missing`)
  return path
}

/** Debian's colour emoji font: without it a headless browser draws 📎 and 👋 as empty boxes. */
export const EMOJI_FONT = process.env.PARLEY_EMOJI_FONT ?? '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'

/** The emoji font, installed first when it is missing and we are root (a browser started after sees it). */
export function ensureEmojiFont(): Promise<string> {
  return ensureDebianBrowser(EMOJI_FONT, 'fonts-noto-color-emoji', 'PARLEY_EMOJI_FONT')
}

/** The path of a Chromium to drive, installing Debian's package first when we may. */
export function ensureChromium(): Promise<string> {
  return ensureDebianBrowser(CHROMIUM, 'chromium', 'PARLEY_CHROMIUM')
}

/** A headless Chromium with fake camera and microphone (the calls to come use them). */
export async function launchBrowser(): Promise<Browser> {
  await ensureEmojiFont()
  return chromium.launch({ executablePath: await ensureChromium(), headless: true, args: ARGS })
}

/**
 * The same Chromium with a profile kept in `userDataDir`: unlike a context of
 * launchBrowser's, which is incognito, it may install a web app (Chromium
 * finds no app installable in incognito).
 */
export async function launchProfile(
  userDataDir: string,
  options: { viewport: { width: number; height: number } },
): Promise<BrowserContext> {
  await ensureEmojiFont()
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: await ensureChromium(),
    headless: true,
    args: ARGS,
    ...options,
  })
}
