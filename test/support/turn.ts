/** Debian's coturn for the call tests: installed with apt-get when missing and we are root. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { haveTurnServer, TURNSERVER } from '../../src/devnet/turn.js'

export async function ensureCoturn(): Promise<void> {
  if (haveTurnServer()) return
  if (process.getuid?.() !== 0)
    throw new Error(`the call tests need coturn at ${TURNSERVER}: sudo apt-get install -y coturn`)
  const apt = promisify(execFile)
  const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 10 * 60_000 }
  console.log('installing coturn (apt-get) for the call tests…')
  await apt('apt-get', ['update', '-q'], opts)
  await apt('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'coturn'], opts)
  if (!haveTurnServer()) throw new Error(`apt-get installed coturn, but ${TURNSERVER} is still missing`)
}
