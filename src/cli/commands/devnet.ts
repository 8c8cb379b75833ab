/** `parley devnet`: a larger local network for tests and benchmarks; `parley devnet-pool`: many devices in one process. */
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import { startControlApi } from '../../device/control-api.js'
import { DeviceNode } from '../../device/node.js'
import { Profile, parleyHome } from '../../device/profile.js'
import { startDevnet } from '../../devnet/devnet.js'
import { createLogger } from '../../log/logger.js'
import { UsageError } from '../errors.js'
import { onShutdown } from '../shutdown.js'

function count(text: string, flag: string, min: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}`)
  return n
}

export function devnetCommand(): Command {
  return new Command('devnet')
    .description('run a local network of many processes: authority, mega-supernodes, supernodes, devices')
    .option('--dir <dir>', 'data and logs', '.parley-devnet')
    .option('--supernodes <n>', 'ordinary supernodes', '3')
    .option('--mega <n>', 'mega-supernodes (seeds)', '1')
    .option('--devices <n>', 'devices user-1…user-N', '10')
    .option('--devices-per-process <n>', 'devices sharing one process', '50')
    .option('--capacity <n>', 'devices each supernode accepts', '800')
    .action(
      async (opts: {
        dir: string
        supernodes: string
        mega: string
        devices: string
        devicesPerProcess: string
        capacity: string
      }) => {
        const started = Date.now()
        const net = await startDevnet({
          dir: resolve(opts.dir),
          megas: count(opts.mega, '--mega', 1),
          supernodes: count(opts.supernodes, '--supernodes', 0),
          devices: count(opts.devices, '--devices', 0),
          devicesPerPool: count(opts.devicesPerProcess, '--devices-per-process', 1),
          capacity: count(opts.capacity, '--capacity', 1),
          onProgress: (line) => console.log(`… ${line}`),
        })
        onShutdown(() => net.stop())
        console.log(`devnet ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
        console.log(`  authority    ${net.authorityUrl}`)
        for (const s of net.supernodes) console.log(`  ${s.name.padEnd(12)} ${s.peerId}  ${s.httpUrl ?? ''}`)
        console.log(`  devices      ${net.devices.length} in ${net.pools.length} process(es)`)
        console.log(`  logs         ${net.logDir}`)
        console.log(`Try: PARLEY_HOME=${net.home} npx parley lookup user-2 --profile user-1`)
      },
    )
}

export function devnetPoolCommand(): Command {
  return new Command('devnet-pool')
    .description('(for devnets) run several signed-in device profiles in one process')
    .requiredOption('--profiles <names>', 'comma-separated profile names')
    .option('--home <dir>', 'data folder', parleyHome())
    .option('--fast-reattach', 're-attach within seconds (tests)')
    .action(async (opts: { profiles: string; home: string; fastReattach?: boolean }) => {
      const names = opts.profiles.split(',').filter((n) => n !== '')
      const running: Array<{ device: DeviceNode; api: Awaited<ReturnType<typeof startControlApi>> }> = []
      const logDir = process.env.PARLEY_LOG_DIR
      const log = createLogger('pool', {
        file: logDir === undefined ? undefined : join(logDir, `pool-${names[0] ?? 'x'}.log`),
        level: process.env.PARLEY_LOG ?? 'warn',
      })
      onShutdown(async () => {
        await Promise.all(running.map(async (r) => (await r.api.close(), await r.device.stop())))
      })
      for (const name of names) {
        const profile = new Profile(opts.home, name)
        const device = await DeviceNode.start({
          profile,
          host: '127.0.0.1',
          log: log.child({ device: name }),
          fastReattach: opts.fastReattach === true,
        })
        running.push({ device, api: await startControlApi(device, profile.dir) })
      }
      console.log(`pool ready ${running.length}`)
    })
}
