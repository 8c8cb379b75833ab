/**
 * How a screen looks to a person, checked in the browser tests: axe-core,
 * evaluated in the page as the user sees it, with no rule disabled and no
 * element excluded; any serious or critical violation (colour contrast
 * included) fails. Each checked screen leaves a screenshot in
 * test-results/screens/ for a person to look at. A screen can be checked in
 * the light and the dark theme: the system's colour scheme is switched
 * (the page follows it unless the user chose a theme in Settings), and each
 * theme gets its own check and screenshot (`<screen>-dark.png`).
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

export const SCREENS = join(import.meta.dirname, '..', '..', 'test-results', 'screens')

/** axe-core's browser build, read once. The page's CSP forbids script tags, so it is evaluated in the page. */
let axeSource: string | undefined
const axe = () =>
  (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))

/** The little of the page's DOM these checks use (the tests are type-checked without the DOM library). */
interface PageElement {
  parentElement: PageElement | null
}
interface InPage {
  document: { documentElement: { dataset: Record<string, string | undefined> } }
  axe?: { run: (context: unknown, options: object) => Promise<AxeResult> }
  getComputedStyle: (el: PageElement) => { color: string; backgroundColor: string }
}
interface AxeResult {
  violations: Array<{
    id: string
    impact?: string | null
    help: string
    nodes: Array<{ target: unknown[]; failureSummary?: string }>
  }>
}

interface Violation {
  id: string
  impact: string
  help: string
  nodes: string[]
}

export type Theme = 'light' | 'dark'

export interface ScreenOptions {
  /** Check the screen in each of these themes, as the system's colour scheme (default: as it is). */
  themes?: Theme[]
}

/** Screenshots `screen` and fails on any serious or critical accessibility violation on it, in each theme asked. */
export async function checkScreen(page: Page, screen: string, options: ScreenOptions = {}): Promise<void> {
  if (options.themes === undefined) return checkOnce(page, screen)
  try {
    for (const theme of options.themes) {
      await showTheme(page, theme)
      await checkOnce(page, theme === 'light' ? screen : `${screen}-${theme}`)
    }
  } finally {
    // Back to the context's own colour scheme for whatever the test does next.
    await page.emulateMedia({ colorScheme: null })
  }
}

/** Switches the system's colour scheme and waits until the page shows it (public/theme.js follows it). */
export async function showTheme(page: Page, theme: Theme): Promise<void> {
  await page.emulateMedia({ colorScheme: theme })
  await page
    .waitForFunction(
      (t) => (globalThis as unknown as InPage).document.documentElement.dataset.theme === t,
      theme,
      { timeout: 5_000 },
    )
    .catch(() => {
      throw new Error(`the page did not turn ${theme} with the system: is a theme chosen in Settings?`)
    })
}

async function checkOnce(page: Page, screen: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true })
  await page.screenshot({ path: join(SCREENS, `${screen}.png`), fullPage: true })
  if (!(await page.evaluate(() => (globalThis as unknown as InPage).axe !== undefined)))
    await page.evaluate(axe())
  const violations = await page.evaluate(async (): Promise<Violation[]> => {
    const g = globalThis as unknown as InPage
    const result = await g.axe!.run(g.document, { resultTypes: ['violations'] })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? '',
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
      }))
  })
  expect(violations, `serious or critical accessibility violations on "${screen}"`).toEqual([])
}

/** WCAG contrast ratio of an element's text against its background (the first opaque one up its ancestors). */
export function contrastOf(element: Locator): Promise<number> {
  return element.evaluate((el: PageElement) => {
    const w = globalThis as unknown as InPage
    const rgba = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number)
    const luminance = ([r, g, b]: number[]): number => {
      const lin = (c: number) => {
        const s = c / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!)
    }
    let background: number[] | undefined
    for (
      let node: PageElement | null = el;
      node !== null && background === undefined;
      node = node.parentElement
    ) {
      const c = rgba(w.getComputedStyle(node).backgroundColor)
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) background = c
    }
    const text = luminance(rgba(w.getComputedStyle(el).color))
    const back = luminance(background ?? [255, 255, 255])
    return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05)
  })
}
