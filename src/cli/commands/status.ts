/** `parley status` and `parley lookup`: questions to the running device, through its local API. */
import { Command } from 'commander'
import { CliError } from '../errors.js'
import { callNode } from '../node-api.js'
import { withProfile, type DeviceOptions } from '../options.js'
import { refusedLine, signedOutLine } from './device-lines.js'

export function statusCommand(): Command {
  return withProfile(new Command('status'))
    .description(
      "show the running device's status, attachments and reachability; with a state, set your status " +
        '(online, away, dnd, invisible)',
    )
    .argument('[state]', 'online, away, dnd (do not disturb) or invisible')
    .option('--json', 'print JSON')
    .action(async (state: string | undefined, opts: DeviceOptions & { json?: boolean }) => {
      if (state !== undefined) {
        const r = (await callNode(opts, '/v1/chat/status', { method: 'POST', body: { status: state } })) as {
          status: string
        }
        return console.log(`status: ${r.status}`)
      }
      const s = (await callNode(opts, '/v1/status')) as {
        peerId: string
        attachments: Array<{ peerId: string; load: number; capacity: number }>
        reachability: { direct: string[]; relayed: string[] }
        knownSupernodes: number
        chat?: { username: string; status: string }
        signedOut?: { at: number; by?: 'owner' | 'admin' }
        refused?: { code: string; message: string }
      }
      if (opts.json === true) return console.log(JSON.stringify(s))
      if (s.signedOut !== undefined) console.log(signedOutLine(s.signedOut))
      else if (s.refused !== undefined) console.log(refusedLine(s.refused))
      if (s.chat !== undefined) console.log(`user         ${s.chat.username} (${s.chat.status})`)
      console.log(`device       ${s.peerId}`)
      console.log(`attached to  ${s.attachments.length} supernode(s) (${s.knownSupernodes} known)`)
      for (const a of s.attachments) console.log(`  ${a.peerId}  load ${a.load}/${a.capacity}`)
      console.log(`reachable    directly at ${s.reachability.direct.join(', ') || 'no address'}`)
      console.log(`             through relays at ${s.reachability.relayed.length} address(es)`)
    })
}

export function lookupCommand(): Command {
  return withProfile(new Command('lookup'))
    .description("print a user's online devices and how each is reached (through the running device)")
    .argument('<username>')
    .option('--reach', 'also connect to each device and report the path and round trip')
    .option('--json', 'print JSON')
    .action(async (username: string, opts: DeviceOptions & { reach?: boolean; json?: boolean }) => {
      const r = (await callNode(
        opts,
        `/v1/lookup/${encodeURIComponent(username)}${opts.reach === true ? '?reach=1' : ''}`,
      )) as {
        devices: Array<{
          deviceId: string
          deviceName: string
          status: string
          addrs: string[]
          reached?: { path?: string; rttMs?: number; error?: string }
        }>
      }
      if (opts.json === true) return console.log(JSON.stringify(r))
      if (r.devices.length === 0) throw new CliError(`${username} has no device online`)
      for (const d of r.devices) {
        console.log(`${d.deviceId}  "${d.deviceName}"  ${d.status.toLowerCase()}`)
        for (const a of d.addrs) console.log(`  ${a.includes('/p2p-circuit') ? 'relay ' : 'direct'}  ${a}`)
        if (d.reached !== undefined) {
          console.log(
            d.reached.error !== undefined
              ? `  not reached: ${d.reached.error}`
              : `  reached ${d.reached.path}, round trip ${d.reached.rttMs?.toFixed(1)} ms`,
          )
        }
      }
    })
}
