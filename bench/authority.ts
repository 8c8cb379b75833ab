/**
 * Authority throughput: registrations and full sign-ins per second against
 * real `parley authority` processes, on SQLite and on PostgreSQL, at the
 * default scrypt cost and a cheap one, beside the cost of one hash measured
 * in-process. It prints figures and asserts none; any failed request fails
 * the run, so a broken authority cannot produce a table.
 *
 *   npm run bench:authority [-- --seconds 8 --warmup 1 --concurrency 8]
 *
 * PostgreSQL: DATABASE_URL when set (its user needs CREATEDB), otherwise an
 * embedded server in a temporary folder. Each measurement runs on a fresh
 * data folder and a fresh database.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_COST, type ScryptCost } from '../src/authority/password.js'
import { runBench, UsageError, type Cleanup } from './support/cleanup.js'
import { percentile, type LoadResult } from './support/load.js'
import { hashMs, hashThroughput } from './support/hash.js'
import { measureAuthority, type AuthorityFigures, type LoadPlan } from './support/measure.js'
import { createDatabase, startPostgres } from './support/postgres.js'
import { tempDir } from './support/process.js'
import { figure, formatTable } from './support/report.js'

const HASH_SAMPLES = 10
const HASH_THROUGHPUT_MS = 3000
const CHEAP_COST_LOG2 = 12

interface CostCase {
  log2: number
  cost: ScryptCost
  /** The --password-cost flag; undefined runs the authority at its own default. */
  flag: number | undefined
  hashMs: number
  hashesPerSecond: number
}

interface Row {
  store: string
  cost: CostCase
  figures: AuthorityFigures
}

function parsePlan(argv: string[]): LoadPlan {
  let values: { seconds: string; warmup: string; concurrency: string }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        seconds: { type: 'string', default: '8' },
        warmup: { type: 'string', default: '1' },
        concurrency: { type: 'string', default: '8' },
      },
    }))
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; options: --seconds S --warmup S --concurrency N`)
  }
  const positive = (name: string, text: string, integer: boolean): number => {
    const n = Number(text)
    if (!(n > 0) || (integer && !Number.isInteger(n)))
      throw new UsageError(`--${name} "${text}" must be positive`)
    return n
  }
  return {
    durationMs: positive('seconds', values.seconds, false) * 1000,
    warmupMs: positive('warmup', values.warmup, false) * 1000,
    concurrency: positive('concurrency', values.concurrency, true),
  }
}

async function main(signal: AbortSignal, cleanup: Cleanup): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  const cores = cpus()
  console.log('Parley authority benchmark')
  console.log(
    `machine: ${cores.length} CPUs (${cores[0]?.model.trim() ?? 'unknown'}), available parallelism ` +
      `${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform}/${process.arch}`,
  )
  console.log(
    `node ${process.version}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}; ` +
      `load: ${plan.concurrency} in flight, ${plan.warmupMs / 1000} s warm-up + ${plan.durationMs / 1000} s ` +
      `per phase; the load generator shares the machine with the authority`,
  )
  console.log(`load average at start: ${loadAverage()} (anything else running skews the figures)`)
  // First, so a bad DATABASE_URL fails the run at once; an idle server costs the other measurements nothing.
  const postgres = await startPostgres()
  cleanup.onExit(postgres.kill)
  cleanup.add('stop PostgreSQL', postgres.stop)
  console.log(`postgres: ${postgres.source}, server ${postgres.version}`)

  const costs: CostCase[] = []
  const cheap = { ...DEFAULT_COST, N: 2 ** CHEAP_COST_LOG2 }
  for (const [cost, flag] of [
    [DEFAULT_COST, undefined],
    [cheap, CHEAP_COST_LOG2],
  ] as const) {
    const ms = await hashMs(cost, HASH_SAMPLES, signal)
    const parallel = await hashThroughput(cost, {
      concurrency: plan.concurrency,
      durationMs: HASH_THROUGHPUT_MS,
      signal,
    })
    const c = { log2: Math.log2(cost.N), cost, flag, hashMs: ms, hashesPerSecond: rate(parallel) }
    costs.push(c)
    console.log(
      `scrypt N=2^${c.log2} r=${cost.r} p=${cost.p}: ${figure(ms)} ms per hash (median of ${HASH_SAMPLES}), ` +
        `${figure(c.hashesPerSecond)} hashes/s with ${plan.concurrency} in flight`,
    )
  }

  const root = tempDir('parley-bench-')
  cleanup.add('remove the authority folders', root.remove)
  const rows: Row[] = []
  const measure = async (
    store: 'sqlite' | 'postgres',
    cost: CostCase,
    databaseUrl?: string,
  ): Promise<void> => {
    signal.throwIfAborted()
    const figures = await measureAuthority({
      dataDir: join(root.path, `${store}-${cost.log2}`),
      store,
      databaseUrl,
      passwordCost: cost.flag,
      plan,
      cleanup,
      signal,
    })
    rows.push({ store, cost, figures })
    console.log(`${store}, N=2^${cost.log2}: ${summary(figures)}`)
  }

  for (const cost of costs) await measure('sqlite', cost)
  for (const cost of costs) {
    const db = await createDatabase(postgres.url)
    try {
      await measure('postgres', cost, db.url)
    } catch (err) {
      await db.drop().catch(() => undefined)
      throw err
    }
    await db.drop()
  }

  console.log()
  console.log(table(rows, plan.concurrency))
  console.log()
  console.log(`load average at end: ${loadAverage()}`)
  console.log(
    [
      'hash ms: one scrypt hash in this process, one at a time (median).',
      `hash/s ×${plan.concurrency}: hashes per second in this process with ${plan.concurrency} in flight on the ` +
        'thread pool; each registration and sign-in costs one, so this is their ceiling.',
      'reg: POST /v1/accounts. sign-in: POST /v1/challenges, the proof, then POST /v1/sign-in with a fresh',
      'device key. Latencies (p50, p99) are client-side ms per operation; n counts the measured operations.',
    ].join('\n'),
  )
}

/** 1, 5 and 15 minute load averages. */
function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
}

function summary(f: AuthorityFigures): string {
  return `${figure(rate(f.register))} registrations/s, ${figure(rate(f.signIn))} sign-ins/s`
}

function rate(r: LoadResult): number {
  return (r.ops * 1000) / r.elapsedMs
}

function table(rows: readonly Row[], concurrency: number): string {
  const columns = [
    { title: 'store', align: 'left' as const },
    { title: 'scrypt', align: 'left' as const },
    { title: 'hash ms' },
    { title: `hash/s ×${concurrency}` },
    { title: 'reg/s' },
    { title: 'reg p50' },
    { title: 'reg p99' },
    { title: 'sign-in/s' },
    { title: 'sign-in p50' },
    { title: 'sign-in p99' },
    { title: 'n reg' },
    { title: 'n sign-in' },
  ]
  const cells = rows.map(({ store, cost, figures: { register, signIn } }) => [
    store,
    `N=2^${cost.log2}${cost.flag === undefined ? ' (default)' : ''}`,
    figure(cost.hashMs),
    figure(cost.hashesPerSecond),
    figure(rate(register)),
    figure(percentile(register.latenciesMs, 50)),
    figure(percentile(register.latenciesMs, 99)),
    figure(rate(signIn)),
    figure(percentile(signIn.latenciesMs, 50)),
    figure(percentile(signIn.latenciesMs, 99)),
    String(register.ops),
    String(signIn.ops),
  ])
  return formatTable(columns, cells)
}

await runBench(main)
