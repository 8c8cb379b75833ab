#!/usr/bin/env node
// Builds a released Parley as one file the tests can run beside today's build
// (test/mixed-versions.test.ts): `node scripts/build-release-fixture.mjs [commit]`
// (default e6cbff4) writes test/fixtures/release-<commit>/.
//
// The commit is checked out in a temporary git worktree (this needs the commit
// in the local history; CI's shallow clones only run the result), compiled
// with its own tsconfig.build.json against this checkout's node_modules, and
// its CLI bundled with rolldown (vite 8's bundler, installed with it; esbuild
// is not) into bin/parley.js: one minified ESM file, the polyfills first as
// bin/parley.js loads them, every JavaScript dependency inside, so that
// upgrading a dependency later cannot change the old release. Native addons
// (better-sqlite3) and optional natives stay outside and load from
// node_modules. A package.json named parley beside it makes the release find
// itself (src/paths.ts) and report its own version. No web client and no
// source maps: the tests drive the CLI and the local API. The output is the
// same for the same commit and node_modules.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()

const commit = process.argv[2] ?? 'e6cbff4'
const sha = git('rev-parse', '--verify', `${commit}^{commit}`)
const short = sha.slice(0, 7)
const out = join(root, 'test', 'fixtures', `release-${short}`)

/** Native addons, and optional native speed-ups that libraries require lazily. */
const EXTERNAL = ['better-sqlite3', 'pg-native', 'bufferutil', 'utf-8-validate']

const work = mkdtempSync(join(tmpdir(), `parley-release-${short}-`))
const tree = join(work, 'tree')
git('worktree', 'add', '--detach', tree, sha)
try {
  const pkg = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8'))
  const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  // The release compiles against what is installed here: say so when its dependencies differ.
  for (const [name, range] of Object.entries(pkg.dependencies ?? {}))
    if (ours.dependencies?.[name] !== range && ours.devDependencies?.[name] !== range)
      console.warn(`warning: ${short} wants ${name}@${range}; this checkout has ${ours.dependencies?.[name]}`)
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: tree,
      stdio: 'inherit',
    },
  )
  // bin/parley.js imports the polyfills before main; static imports in this order do the same.
  const entry = join(tree, 'release-entry.mjs')
  writeFileSync(entry, "import './dist/src/polyfills.js'\nimport './dist/src/cli/main.js'\n")

  rmSync(out, { recursive: true, force: true })
  mkdirSync(join(out, 'bin'), { recursive: true })
  const problems = []
  await build({
    input: entry,
    cwd: tree,
    platform: 'node',
    external: (id) => EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`)),
    onLog(level, log) {
      if (level === 'warn') problems.push(`${log.code ?? ''} ${log.message}`)
    },
    output: {
      file: join(out, 'bin', 'parley.js'),
      format: 'esm',
      minify: true,
      sourcemap: false,
      codeSplitting: false,
      comments: false,
      postBanner: `// Parley ${sha}, bundled by scripts/build-release-fixture.mjs: a test fixture, not to be edited.`,
    },
  })
  if (problems.length > 0) throw new Error(`rolldown warned:\n${problems.join('\n')}`)

  writeFileSync(
    join(out, 'package.json'),
    JSON.stringify({ name: 'parley', version: pkg.version, private: true, type: 'module' }, null, 2) + '\n',
  )
  const date = git('log', '-1', '--format=%cs', sha)
  writeFileSync(
    join(out, 'README.md'),
    [
      `# Parley ${short}, an earlier release for the tests`,
      '',
      `Commit ${sha} (${date})`,
      "as one file, for the tests that run an old release beside today's",
      "(test/mixed-versions.test.ts): `node bin/parley.js …` is that release's",
      '`parley`. Made by `node scripts/build-release-fixture.mjs ' + short + '`: the',
      "commit's tsc output bundled by rolldown into minified ESM, polyfills first,",
      'every JavaScript dependency inside, better-sqlite3 loaded from',
      'node_modules. Do not edit it; rebuild it.',
      '',
    ].join('\n'),
  )
  const size = statSync(join(out, 'bin', 'parley.js')).size
  console.log(`${relative(root, out)}: bin/parley.js ${(size / 1024).toFixed(0)} KiB`)
} finally {
  git('worktree', 'remove', '--force', tree)
  rmSync(work, { recursive: true, force: true })
}
