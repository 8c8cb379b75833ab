import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Writes JSON readable by the owner only, atomically (write then rename). */
export function writePrivateJson(path: string, value: unknown): void {
  // A brand-new profile's folder may not exist yet.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = join(dirname(path), `.${Date.now()}.tmp`)
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}
