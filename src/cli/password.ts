/** Where a password comes from: --password-file, piped standard input, or a hidden prompt. */
import { readFileSync } from 'node:fs'
import { read } from 'read'
import { UsageError } from './errors.js'

export interface PasswordSource {
  passwordFile?: string
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

export async function getPassword(source: PasswordSource, prompt: string, confirm = false): Promise<string> {
  let password: string
  if (source.passwordFile !== undefined) {
    try {
      password = readFileSync(source.passwordFile, 'utf8').split(/\r?\n/)[0] ?? ''
    } catch (err) {
      throw new UsageError(`cannot read the password file: ${(err as Error).message}`)
    }
  } else if (!process.stdin.isTTY) {
    password = await readStdinLine()
  } else {
    password = await read({ prompt, silent: true, replace: '' })
    if (confirm && (await read({ prompt: 'Again: ', silent: true, replace: '' })) !== password) {
      throw new UsageError('the two passwords differ')
    }
  }
  if (password === '') throw new UsageError('the password is empty')
  return password
}
