#!/usr/bin/env node
// Makes a fresh clone runnable: installs the locked dependencies when they are
// missing or older than package-lock.json, then compiles the TypeScript.
// Runs before `npm start`, `npm test` and the benchmarks, so a newcomer needs
// nothing but Node.js and npm.
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`parley: Node.js ${process.versions.node} is too old; Node.js 20.19 or newer is needed.`)
  process.exit(1)
}

const installed = join(root, 'node_modules', '.package-lock.json')
const lock = join(root, 'package-lock.json')
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error('parley: installing dependencies (npm ci)…')
  run(npm, ['ci', '--no-audit', '--no-fund'])
}
if (!process.argv.includes('--no-build')) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])
}
