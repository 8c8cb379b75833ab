#!/usr/bin/env node
// `npm test`: the checks (types, lint, format), then the suite's three tiers
// (unit, network, browser; see vitest.config.ts) on the Node that runs this,
// then the unit tier and the network files that cover the native module and
// libp2p (NODE24_FILES) on Node 24 LTS (scripts/node24.mjs fetches it and
// builds better-sqlite3 for it on first use), each timed. Every tier runs even
// when an earlier one failed, so one CI run shows every failure; the exit code
// is non-zero if any step failed. Arguments go to each vitest run
// (`npm test -- -t renew`). PARLEY_NODE24=off leaves Node 24 out (a machine
// that cannot reach the npm registry). Each vitest run also writes a JSON
// report; the failing tests and their first error lines are printed again at
// the very end, so the tail of a CI log names what failed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureNode24 } from './node24.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const extra = process.argv.slice(2)
const reports = mkdtempSync(join(tmpdir(), 'parley-test-'))

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
  results.push({ name: step.name, ok, seconds, failures: ok ? [] : failuresOf(step) })
  console.log(`== ${step.name}: ${ok ? 'passed' : 'FAILED'} in ${formatTime(seconds)} ==`)
  // Type or lint errors make the test results moot: stop there.
  if (!ok && step.name === 'checks') break
}

console.log('\ntier        result   time')
for (const r of results)
  console.log(`${r.name.padEnd(11)} ${(r.ok ? 'passed' : 'FAILED').padEnd(8)} ${formatTime(r.seconds)}`)
const total = results.reduce((s, r) => s + r.seconds, 0)
console.log(`${'total'.padEnd(11)} ${''.padEnd(8)} ${formatTime(total)}`)
for (const r of results.filter((r) => !r.ok)) {
  console.log(`\n== what failed in ${r.name} ==`)
  for (const line of r.failures) console.log(line)
}
rmSync(reports, { recursive: true, force: true })
process.exit(results.every((r) => r.ok) && results.length === steps.length ? 0 : 1)

/** The vitest arguments of a step, with a JSON report beside the default one. */
function withReport(step) {
  const i = step.args.indexOf('run')
  if (i < 0 || !step.args[0].endsWith('vitest.mjs')) return step.args
  step.report = join(reports, `${step.name.replace(/\W+/g, '-')}.json`)
  return [
    ...step.args.slice(0, i + 1),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${step.report}`,
    ...step.args.slice(i + 1),
  ]
}

/**
 * What a failed step's report says: each failing test with its file and the first lines of its error,
 * and each file that failed without a failing test (a hook, an import). A run that failed with no
 * report, or a report with nothing failed, says so: vitest also fails on unhandled errors, printed above.
 */
function failuresOf(step) {
  if (step.report === undefined) return ["(no test report: see the step's output above)"]
  let report
  try {
    report = JSON.parse(readFileSync(step.report, 'utf8'))
  } catch {
    return ["(vitest wrote no report: see the step's output above)"]
  }
  const lines = []
  for (const file of report.testResults ?? []) {
    const name = relative(root, file.name)
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
    for (const t of failed) {
      lines.push(`x ${name} > ${t.fullName ?? t.title}`)
      for (const message of t.failureMessages ?? []) lines.push(...excerpt(message))
    }
    if (failed.length === 0 && file.status === 'failed') {
      lines.push(`x ${name} (the file failed outside its tests)`)
      lines.push(...excerpt(file.message ?? ''))
    }
  }
  if (lines.length === 0)
    lines.push('(no test failed: vitest reported an unhandled error or a worker crash, printed above)')
  return lines
}

/** The first lines of an error, indented, without the colour codes or the test runner's own frames. */
function excerpt(message) {
  return message
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*at .*node_modules/.test(l))
    .slice(0, 12)
    .map((l) => `    ${l}`)
}

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
    const run = spawnSync(node24.node, withReport(step), {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...node24.env },
    })
    return run.status === 0
  }
  return spawnSync(step.cmd, withReport(step), { cwd: root, stdio: 'inherit' }).status === 0
}

function formatTime(seconds) {
  // Rounded first, so 899.6 s reads 15 min 00 s, not 14 min 60 s.
  const whole = Math.round(seconds)
  const m = Math.floor(whole / 60)
  const s = whole % 60
  return m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`
}
