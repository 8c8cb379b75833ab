#!/usr/bin/env node
// `npm test`: the checks (types, lint, format), then the suite's three tiers
// (unit, network, browser; see vitest.config.ts), each timed. Every tier runs
// even when an earlier one failed, so one CI run shows every failure; the exit
// code is non-zero if any step failed. Arguments go to each vitest run
// (`npm test -- -t renew`).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const extra = process.argv.slice(2)

const steps = [
  { name: 'checks', cmd: npm, args: ['run', '--silent', 'check'] },
  ...['unit', 'network', 'browser'].map((tier) => ({
    name: tier,
    cmd: process.execPath,
    args: [vitest, 'run', '--project', tier, ...extra],
  })),
]

const results = []
for (const step of steps) {
  console.log(`\n== ${step.name} ==`)
  const started = performance.now()
  const run = spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit' })
  const seconds = (performance.now() - started) / 1000
  const ok = run.status === 0
  results.push({ name: step.name, ok, seconds })
  console.log(`== ${step.name}: ${ok ? 'passed' : 'FAILED'} in ${formatTime(seconds)} ==`)
  // Type or lint errors make the test results moot: stop there.
  if (!ok && step.name === 'checks') break
}

console.log('\ntier      result   time')
for (const r of results)
  console.log(`${r.name.padEnd(9)} ${(r.ok ? 'passed' : 'FAILED').padEnd(8)} ${formatTime(r.seconds)}`)
const total = results.reduce((s, r) => s + r.seconds, 0)
console.log(`${'total'.padEnd(9)} ${''.padEnd(8)} ${formatTime(total)}`)
process.exit(results.every((r) => r.ok) && results.length === steps.length ? 0 : 1)

function formatTime(seconds) {
  // Rounded first, so 899.6 s reads 15 min 00 s, not 14 min 60 s.
  const whole = Math.round(seconds)
  const m = Math.floor(whole / 60)
  const s = whole % 60
  return m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`
}
