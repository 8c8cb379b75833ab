#!/usr/bin/env node
// Makes a fresh clone runnable: installs the locked dependencies when they are
// missing or older than package-lock.json, compiles the TypeScript, and builds
// the web client (web/ → dist/web/) when a file under web/ is newer than it.
// Runs before `npm start`, `npm test` and the benchmarks, so a newcomer needs
// nothing but Node.js and npm.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
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

// The web client: rebuilt only when something it is made of changed, so ensure stays fast.
const webBuilt = join(root, 'dist', 'web', 'index.html')
const webSources = join(root, 'web')
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0
const newestUnder = (dir) =>
  Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => mtime(join(dir, f))))
if (
  !process.argv.includes('--no-build') &&
  existsSync(webSources) &&
  (!existsSync(webBuilt) ||
    statSync(webBuilt).mtimeMs < Math.max(newestUnder(webSources), statSync(lock).mtimeMs))
) {
  console.error('parley: building the web client (vite)…')
  run(process.execPath, [
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    join('web', 'vite.config.ts'),
    '--logLevel',
    'warn',
  ])
}
