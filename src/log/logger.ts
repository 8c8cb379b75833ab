/**
 * The scoped logger for library code (no console outside the CLI). pino writes
 * JSON lines; the level comes from PARLEY_LOG (default "info"; "silent" mutes).
 * Nothing secret is ever passed to it: no passwords, keys or tokens.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export interface LoggerOptions {
  /** File to append to; standard error when omitted. */
  file?: string
  level?: string
}

export function createLogger(name: string, opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.PARLEY_LOG ?? 'info'
  const destination =
    opts.file === undefined
      ? pino.destination(2)
      : pino.destination({ dest: opts.file, mkdir: true, sync: false })
  return pino({ name, level, base: { pid: process.pid } }, destination)
}

/** A logger that drops everything: for unit tests and in-process tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
