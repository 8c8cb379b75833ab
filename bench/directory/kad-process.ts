/** The bench's side of a kad-node process: spawn it, wait for its ready line, send requests, match answers. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { withTimeout } from '../support/cleanup.js'
import { isReady, type KadAnswer, type KadLine, type KadRequest, type ReadyLine } from './kad-protocol.js'

/** This file runs as dist/bench/directory/kad-process.js, beside kad-node.js. */
const KAD_NODE = fileURLToPath(new URL('./kad-node.js', import.meta.url))
const START_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 10_000

export class KadProcessError extends Error {
  override name = 'KadProcessError'
}

type Body<R> = R extends KadRequest ? Omit<R, 'id'> : never

export class KadProcess {
  private nextId = 1
  private readonly waiting = new Map<number, (answer: KadAnswer) => void>()
  private readonly exited: Promise<void>

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly ready: ReadyLine,
    lines: ReturnType<typeof createInterface>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
    lines.on('line', (text) => {
      const answer = parse(text)
      if (answer === undefined || isReady(answer)) return
      this.waiting.get(answer.id)?.(answer)
      this.waiting.delete(answer.id)
    })
    child.once('exit', (code, signal) => {
      for (const resolve of this.waiting.values())
        resolve({ id: -1, ok: false, error: `${name} exited (${code ?? signal})` })
      this.waiting.clear()
    })
  }

  static async start(name: string, args: string[], logDir: string): Promise<KadProcess> {
    if (!existsSync(KAD_NODE))
      throw new KadProcessError(`${KAD_NODE} is missing; run node scripts/ensure.mjs`)
    const child = spawn(process.execPath, [KAD_NODE, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    const log = createWriteStream(join(logDir, `${name}.out`), { flags: 'a' })
    child.stderr.pipe(log)
    const lines = createInterface({ input: child.stdout })
    try {
      const ready = await withTimeout(
        new Promise<ReadyLine>((resolve, reject) => {
          lines.on('line', (text) => {
            const line = parse(text)
            if (line !== undefined && isReady(line)) resolve(line)
          })
          child.once('error', reject)
          child.once('exit', (code) =>
            reject(new KadProcessError(`${name} exited with ${code}; see ${join(logDir, `${name}.out`)}`)),
          )
        }),
        START_TIMEOUT_MS,
        `starting ${name}`,
      )
      return new KadProcess(name, child, ready, lines)
    } catch (err) {
      child.kill('SIGKILL')
      throw err
    }
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  request(body: Body<KadRequest>, timeoutMs: number): Promise<KadAnswer> {
    const id = this.nextId++
    const answer = new Promise<KadAnswer>((resolve) => this.waiting.set(id, resolve))
    this.child.stdin?.write(JSON.stringify({ ...body, id }) + '\n')
    return withTimeout(answer, timeoutMs, `${this.name} ${body.op}`).finally(() => this.waiting.delete(id))
  }

  /** Closing stdin asks it to stop; SIGKILL if it has not within the timeout. Thaw it first if frozen. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.stdin?.end()
    try {
      await withTimeout(this.exited, STOP_TIMEOUT_MS, `stopping ${this.name}`)
    } catch {
      this.kill()
      await this.exited
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}

function parse(text: string): KadLine | undefined {
  try {
    return JSON.parse(text) as KadLine
  } catch {
    return undefined
  }
}
