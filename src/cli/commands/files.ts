/**
 * `parley file …`: file transfer from the command line, as a client of the
 * running device's local API (`parley up`), like the chat commands. A
 * transfer is named by its id or any unique start of it (`parley file list`
 * shows them).
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { Command } from 'commander'
import { CliError, UsageError } from '../errors.js'
import { withProfile, type DeviceOptions } from '../options.js'
import { callNode, nodeApi } from '../node-api.js'

interface Transfer {
  transfer: string
  direction: 'in' | 'out'
  peer: string
  name: string
  size: number
  state: string
  received: number
  error?: string
}

type Opts = DeviceOptions & { json?: boolean }

const POLL_MS = 250
/** States after which nothing more happens to a transfer. */
const OVER = new Set(['done', 'declined', 'cancelled', 'expired', 'failed'])

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

export function formatTransfer(t: Transfer): string {
  const who = t.direction === 'out' ? `to ${t.peer}` : `from ${t.peer}`
  const progress =
    t.direction === 'in' && t.state === 'accepted'
      ? ` ${Math.floor((100 * t.received) / Math.max(1, t.size))}%`
      : ''
  const error = t.error !== undefined ? ` (${t.error})` : ''
  return `${t.transfer}  ${t.name} (${sizeText(t.size)}) ${who}: ${t.state}${progress}${error}`
}

function checkId(id: string): string {
  const wanted = id.toLowerCase()
  if (!/^[0-9a-f]{1,32}$/.test(wanted))
    throw new UsageError(`"${id}" is not a transfer id (see parley file list)`)
  return wanted
}

/** The transfer a user means by an id or a unique start of one. */
export function pick(transfers: readonly Transfer[], id: string): Transfer {
  const wanted = checkId(id)
  const found = transfers.filter((t) => t.transfer.startsWith(wanted))
  if (found.length === 0) throw new CliError(`no transfer ${id} (see parley file list)`)
  if (found.length > 1) throw new UsageError(`${id} names ${found.length} transfers; give more of the id`)
  return found[0]!
}

const list = async (opts: DeviceOptions) =>
  ((await callNode(opts, '/v1/files')) as { transfers: Transfer[] }).transfers

/** The transfer named by `id`; the id's form is checked before the device is asked. */
async function find(opts: DeviceOptions, id: string): Promise<Transfer> {
  checkId(id)
  return pick(await list(opts), id)
}

/** A one-line progress bar on standard error, redrawn in place on a terminal. */
function progressLine(label: string): { show: (done: number, total: number) => void; end: () => void } {
  const tty = process.stderr.isTTY
  let shown = -1
  return {
    show: (done, total) => {
      const pct = Math.floor((100 * done) / Math.max(1, total))
      if (pct === shown) return
      shown = pct
      if (tty) {
        const width = 24
        const full = Math.round((width * pct) / 100)
        process.stderr.write(
          `\r${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${pct}% ${sizeText(done)}`,
        )
      } else if (pct % 25 === 0) process.stderr.write(`${label} ${pct}%\n`)
    },
    end: () => tty && shown >= 0 && process.stderr.write('\n'),
  }
}

async function send(u: string, path: string, opts: Opts): Promise<void> {
  if (!existsSync(path)) throw new UsageError(`no file at ${path}`)
  const stat = statSync(path)
  if (!stat.isFile()) throw new UsageError(`${path} is not a file`)
  const api = nodeApi(opts)
  const bar = progressLine(`offering ${basename(path)}`)
  let read = 0
  const counted = createReadStream(path).pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        read += chunk.byteLength
        bar.show(read, stat.size)
        done(null, chunk)
      },
    }),
  )
  let res: Response
  try {
    res = await fetch(`${api.url}/v1/files/${encodeURIComponent(u)}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.token}`,
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(basename(path)),
      },
      body: Readable.toWeb(counted) as ReadableStream<Uint8Array>,
      duplex: 'half',
    })
  } catch {
    bar.end()
    throw new CliError(`the device for profile "${api.profile}" does not answer; is parley up still running?`)
  }
  bar.end()
  const body = (await res.json()) as { transfer?: Transfer; error?: { code: string; message: string } }
  if (!res.ok || body.transfer === undefined)
    throw new CliError(`${body.error?.message ?? res.statusText} [${body.error?.code ?? res.status}]`)
  const t = body.transfer
  if (opts.json) return console.log(JSON.stringify(t))
  console.log(`offered ${t.name} (${sizeText(t.size)}) to ${u}; transfer ${t.transfer}`)
  console.log(`${u} accepts it in their client; follow it with: parley file list`)
}

/** Follows an incoming transfer until it is over, with a progress bar; the final record. */
async function follow(opts: DeviceOptions, id: string): Promise<Transfer> {
  let t = pick(await list(opts), id)
  const bar = progressLine(`receiving ${t.name}`)
  while (!OVER.has(t.state)) {
    bar.show(t.received, t.size)
    await sleep(POLL_MS)
    t = pick(await list(opts), t.transfer)
  }
  if (t.state === 'done') bar.show(t.size, t.size)
  bar.end()
  return t
}

/** Copies a received (or offered) file out of the profile into `dest` (a folder or a file path). */
async function save(opts: DeviceOptions, t: Transfer, dest: string): Promise<string> {
  const target = existsSync(dest) && statSync(dest).isDirectory() ? join(dest, t.name) : dest
  if (existsSync(target)) throw new CliError(`${target} exists; not overwritten`)
  const api = nodeApi(opts)
  const res = await fetch(`${api.url}/v1/files/${t.transfer}/content`, {
    headers: { authorization: `Bearer ${api.token}` },
  }).catch(() => {
    throw new CliError(`the device for profile "${api.profile}" does not answer; is parley up still running?`)
  })
  if (!res.ok || res.body === null) {
    const e = ((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error
    throw new CliError(e?.message ?? `the device answered ${res.status}`)
  }
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(target, { flags: 'wx', mode: 0o600 }))
  return target
}

export function fileCommand(): Command {
  const file = new Command('file').description(
    'send files to contacts and receive theirs (the running device keeps them; see the subcommands)',
  )

  file.addCommand(
    withProfile(new Command('send'))
      .description('offer a file to a contact; they accept it in their client or with parley file accept')
      .argument('<user>', 'the contact')
      .argument('<path>', 'the file (at most 4 GiB)')
      .option('--json', 'print the transfer as JSON')
      .action(send),
  )
  file.addCommand(
    withProfile(new Command('list'))
      .description('list transfers, sent and received, with their state and progress')
      .option('--json', 'print JSON')
      .action(async (opts: Opts) => {
        const transfers = await list(opts)
        if (opts.json) return console.log(JSON.stringify(transfers))
        if (transfers.length === 0) return console.log('no transfers')
        for (const t of transfers) console.log(formatTransfer(t))
      }),
  )
  file.addCommand(
    withProfile(new Command('accept'))
      .description(
        'accept an incoming file and follow it until it is here (Ctrl-C stops following, not the transfer)',
      )
      .argument('<id>', 'the transfer id, or a unique start of it')
      .option('--to <path>', 'once here, save it to this folder or file')
      .option('--no-wait', 'return at once; the device receives it in the background')
      .action(async (id: string, opts: DeviceOptions & { to?: string; wait: boolean }) => {
        const t = await find(opts, id)
        if (t.direction !== 'in')
          throw new UsageError(`${t.transfer} is a file you sent; ${t.peer} accepts it`)
        await callNode(opts, `/v1/files/${t.transfer}/accept`, { method: 'POST' })
        if (!opts.wait) return console.log(`accepted ${t.name}; follow it with: parley file list`)
        const end = await follow(opts, t.transfer)
        if (end.state !== 'done')
          throw new CliError(`${end.name}: ${end.state}${end.error ? ` (${end.error})` : ''}`)
        console.log(`received ${end.name} (${sizeText(end.size)}), checksum verified`)
        if (opts.to !== undefined) console.log(`saved to ${await save(opts, end, opts.to)}`)
      }),
  )
  for (const [action, description, done] of [
    ['decline', 'decline an incoming file', 'declined'],
    ['cancel', 'stop a transfer under way, sent or received; the other side sees it cancelled', 'cancelled'],
  ] as const)
    file.addCommand(
      withProfile(new Command(action))
        .description(description)
        .argument('<id>', 'the transfer id, or a unique start of it')
        .action(async (id: string, opts: DeviceOptions) => {
          const t = await find(opts, id)
          await callNode(opts, `/v1/files/${t.transfer}/${action}`, { method: 'POST' })
          console.log(`${done} ${t.name}`)
        }),
    )
  file.addCommand(
    withProfile(new Command('save'))
      .description('copy a received file (or one you sent) out of the device to a folder or a file')
      .argument('<id>', 'the transfer id, or a unique start of it')
      .argument('<dest>', 'a folder (the file keeps its name) or a new file path')
      .action(async (id: string, dest: string, opts: DeviceOptions) => {
        const t = await find(opts, id)
        console.log(`saved to ${await save(opts, t, dest)}`)
      }),
  )
  return file
}
