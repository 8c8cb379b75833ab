/**
 * One measurement: a fresh authority process on one store at one password
 * cost, loaded with registrations and then with full sign-ins (challenge,
 * proof, sign-in) from fresh device keys, over its real HTTP API.
 */
import type { Signer } from '../../src/crypto/keys.js'
import { AuthorityClient } from '../../src/device/authority-client.js'
import { verifyNetworkConfig } from '../../src/trust/network-config.js'
import type { Cleanup } from './cleanup.js'
import { signInProof } from '../../src/trust/sign-in-proof.js'
import { checkCertificates, freshDevice, type Issued } from './device.js'
import { PASSWORD } from './hash.js'
import { closedLoop, type LoadResult, type Operation } from './load.js'
import { initAuthority, startAuthorityProcess, type AuthorityProcess } from './process.js'

const NETWORK_ID = 'parley-bench'
/** High enough that no limiter ever refuses: the benchmark measures the work, not the limiter. */
const UNLIMITED = '1000000/1s'

export class BenchFailure extends Error {
  override name = 'BenchFailure'
}

export interface LoadPlan {
  concurrency: number
  warmupMs: number
  durationMs: number
}

export interface AuthorityRun {
  dataDir: string
  store: 'sqlite' | 'postgres'
  databaseUrl?: string
  /** log2(N); the authority's default cost when omitted. */
  passwordCost?: number
  plan: LoadPlan
  cleanup: Cleanup
  signal: AbortSignal
}

export interface AuthorityFigures {
  register: LoadResult
  signIn: LoadResult
}

export async function measureAuthority(run: AuthorityRun): Promise<AuthorityFigures> {
  const label = `${run.store}, --password-cost ${run.passwordCost ?? 'default'}`
  await initAuthority(run.dataDir, NETWORK_ID)
  const proc = await startAuthorityProcess({
    dataDir: run.dataDir,
    databaseUrl: run.databaseUrl,
    passwordCost: run.passwordCost,
    rate: UNLIMITED,
  })
  run.cleanup.onExit(proc.kill)
  let figures: AuthorityFigures
  try {
    if (proc.store !== run.store)
      throw new BenchFailure(`the authority runs on ${proc.store}, not ${run.store}`)
    figures = await drive(proc, run)
  } catch (err) {
    await proc.stop().catch(() => undefined)
    const output = proc.output()
    throw new BenchFailure(`${label}: ${describe(err)}\n--- authority output ---\n${output}`, { cause: err })
  }
  const code = await proc.stop()
  if (code !== 0) throw new BenchFailure(`${label}: the authority exited with ${code}:\n${proc.output()}`)
  const errors = proc.loggedErrors()
  if (errors.length > 0)
    throw new BenchFailure(`${label}: the authority logged errors:\n${errors.join('\n')}`)
  return figures
}

async function drive(proc: AuthorityProcess, run: AuthorityRun): Promise<AuthorityFigures> {
  const { signal } = run
  const client = new AuthorityClient(proc.url)
  const config = verifyNetworkConfig(await client.networkConfig(signal))
  const load = { concurrency: run.plan.concurrency, signal }

  const users: string[] = []
  let next = 0
  const register: Operation<string> = {
    prepare: () => `bench-${next++}`,
    run: async (username, signal) => {
      await client.register(username, PASSWORD, signal)
      users.push(username)
    },
  }
  await closedLoop(register, { ...load, durationMs: run.plan.warmupMs })
  const registered = await closedLoop(register, { ...load, durationMs: run.plan.durationMs })

  if (users.length === 0) throw new BenchFailure('no account was registered, so there is no one to sign in')
  const issued: Issued[] = []
  let turn = 0
  const signIn: Operation<{ username: string; device: Signer }> = {
    prepare: async () => ({ username: users[turn++ % users.length] ?? '', device: await freshDevice() }),
    run: async ({ username, device }, signal) => {
      const challenge = await client.challenge(signal)
      const answer = await client.signIn(
        {
          username,
          password: PASSWORD,
          deviceName: 'bench device',
          devicePublicKey: device.publicKey,
          challenge,
          proof: signInProof(device, config.networkId, username, challenge),
        },
        signal,
      )
      issued.push({ certificate: answer.certificate, username, devicePublicKey: device.publicKey })
    },
  }
  await closedLoop(signIn, { ...load, durationMs: run.plan.warmupMs })
  const signedIn = await closedLoop(signIn, { ...load, durationMs: run.plan.durationMs })
  checkCertificates(issued, config, Date.now())
  return { register: registered, signIn: signedIn }
}

/** The error's class, its HTTP status and wire code when the authority refused, and its message. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const { status, code } = err as { status?: number; code?: string }
  const detail = [status, code].filter((x) => x !== undefined).join(' ')
  return `${err.name}${detail === '' ? '' : ` (${detail})`}: ${err.message}`
}
