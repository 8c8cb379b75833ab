#!/usr/bin/env node
// `npm test`: the checks (types, lint, format), then the suite's three tiers
// (unit, network, browser; see vitest.config.ts) on the Node that runs this,
// then the unit tier and the network files that cover the native module and
// libp2p (NODE24_FILES) on Node 24 LTS (scripts/node24.mjs fetches it and
// builds better-sqlite3 for it on first use), each timed. Every tier runs even
// when an earlier one failed, so one CI run shows every failure; the exit code
// is non-zero if any step failed. Arguments go to each vitest run
// (`npm test -- -t renew`). PARLEY_NODE24=off leaves Node 24 out (a machine
// that cannot reach the npm registry).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureNode24 } from './node24.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const extra = process.argv.slice(2)

/**
 * The network files run on Node 24 as well: the ones that exercise better-sqlite3 (chat store, offline
 * store, an old store's migration) and libp2p (dials, relays, the supernode mesh) in real processes. The
 * whole network tier twice would add 9 minutes; these add about 3 minutes (README "Node versions").
 */
const NODE24_FILES = [
  'test/network.test.ts',
  'test/chat.test.ts',
  'test/offline.test.ts',
  'test/chat-store-upgrade.test.ts',
]

let node24
const steps = [
  { name: 'checks', cmd: npm, args: ['run', '--silent', 'check'] },
  ...['unit', 'network', 'browser'].map((tier) => ({
    name: tier,
    cmd: process.execPath,
    args: [vitest, 'run', '--project', tier, ...extra],
  })),
  ...(process.env.PARLEY_NODE24 === 'off'
    ? []
    : [
        {
          name: 'node 24',
          // Fetching and building are timed here, apart from the tests.
          inProcess: () => (node24 = ensureNode24((line) => console.log(line))),
        },
        { name: 'unit 24', node24: true, args: [vitest, 'run', '--project', 'unit', ...extra] },
        {
          name: 'network 24',
          node24: true,
          args: [vitest, 'run', '--project', 'network', ...NODE24_FILES, ...extra],
        },
      ]),
]

const results = []
for (const step of steps) {
  console.log(`\n== ${step.name} ==`)
  const started = performance.now()
  const ok = runStep(step)
  const seconds = (performance.now() - started) / 1000
  results.push({ name: step.name, ok, seconds })
  console.log(`== ${step.name}: ${ok ? 'passed' : 'FAILED'} in ${formatTime(seconds)} ==`)
  // Type or lint errors make the test results moot: stop there.
  if (!ok && step.name === 'checks') break
}

console.log('\ntier        result   time')
for (const r of results)
  console.log(`${r.name.padEnd(11)} ${(r.ok ? 'passed' : 'FAILED').padEnd(8)} ${formatTime(r.seconds)}`)
const total = results.reduce((s, r) => s + r.seconds, 0)
console.log(`${'total'.padEnd(11)} ${''.padEnd(8)} ${formatTime(total)}`)
process.exit(results.every((r) => r.ok) && results.length === steps.length ? 0 : 1)

function runStep(step) {
  if (step.inProcess !== undefined) {
    try {
      step.inProcess()
      return true
    } catch (err) {
      console.error(`${step.name}: ${err.message}`)
      return false
    }
  }
  if (step.node24 === true) {
    // Without Node 24 (its setup failed) the step fails rather than passing unrun.
    if (node24 === undefined) return false
    console.log(`(${node24.node})`)
    const run = spawnSync(node24.node, step.args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...node24.env },
    })
    return run.status === 0
  }
  return spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit' }).status === 0
}

function formatTime(seconds) {
  // Rounded first, so 899.6 s reads 15 min 00 s, not 14 min 60 s.
  const whole = Math.round(seconds)
  const m = Math.floor(whole / 60)
  const s = whole % 60
  return m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`
}
