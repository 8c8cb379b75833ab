/**
 * "Port in use", said usefully: which port, and what probably holds it. On
 * Linux the listening socket's inode is in /proc/net/tcp (and tcp6), and the
 * process holding it has that inode among its open files in /proc/<pid>/fd.
 * Best effort: another user's processes may not be readable, and elsewhere
 * there is no /proc; the message then says how to find the holder.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

export interface PortHolder {
  pid: number
  /** Its command line, shortened. */
  command: string
}

const LISTEN = '0A'
const COMMAND_CHARS = 120

/** The inodes of the sockets listening on `port` in one /proc/net/tcp table. */
export function listeningInodes(table: string, port: number): string[] {
  const inodes: string[] = []
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    const local = f[1]
    if (local === undefined || f[3] !== LISTEN || f[9] === undefined) continue
    if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.push(f[9])
  }
  return inodes
}

/** The process listening on TCP `port`, when this machine lets us see it. */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'])
    for (const inode of listeningInodes(readOr(table, ''), port)) inodes.add(`socket:[${inode}]`)
  if (inodes.size === 0) return undefined
  for (const entry of listOr('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    for (const fd of listOr(`/proc/${entry}/fd`)) {
      let target: string
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`)
      } catch {
        continue
      }
      if (!inodes.has(target)) continue
      const command = readOr(`/proc/${entry}/cmdline`, '').split('\0').join(' ').trim()
      return {
        pid: Number(entry),
        command: command.length > COMMAND_CHARS ? `${command.slice(0, COMMAND_CHARS - 1)}…` : command,
      }
    }
  }
  return undefined
}

/** One line for a failed listen: the port, its holder if known, and what to do. */
export function portInUseMessage(host: string, port: number, holder: PortHolder | undefined): string {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`
  if (holder === undefined)
    return (
      `port ${where} is already in use by another program (\`ss -ltnp 'sport = :${port}'\` shows which); ` +
      'stop it or choose another port'
    )
  const parley = /parley/.test(holder.command)
    ? ', probably a Parley network left running from an earlier start'
    : ''
  return (
    `port ${where} is already in use by pid ${holder.pid} (${holder.command || 'unknown command'})${parley}; ` +
    `stop it (kill ${holder.pid}) or choose another port`
  )
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return fallback
  }
}

function listOr(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}
