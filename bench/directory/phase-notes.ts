/**
 * What a Parley phase's progress line says besides its lookups: where the
 * phase's CPU went, and which directory requests the supernodes served.
 */
import type { ParleyNet } from './parley-net.js'

/**
 * Directory requests the supernodes served so far, by kind (their /metrics), summed; with them, under
 * keys that start with "sent ", the records they sent in store requests and the repairs by kind. A
 * frozen supernode (no answer within 2 s) counts nothing.
 */
export async function directoryServed(net: ParleyNet): Promise<Map<string, number>> {
  const sums = new Map<string, number>()
  await Promise.all(
    net.supernodes.map(async (sn) => {
      try {
        const res = await fetch(`${sn.httpUrl}/metrics`, { signal: AbortSignal.timeout(2_000) })
        const text = await res.text()
        const add = (key: string, n: number): void => void sums.set(key, (sums.get(key) ?? 0) + n)
        for (const m of text.matchAll(
          /^parley_supernode_directory_requests_total\{kind="([^"]+)",result="[^"]*"\} (\d+)/gm,
        ))
          add(m[1]!, Number(m[2]))
        for (const m of text.matchAll(/^parley_supernode_directory_stores_sent_total\{[^}]*\} (\d+)/gm))
          add('sent records in stores', Number(m[1]))
        for (const m of text.matchAll(/^parley_supernode_directory_repairs_total\{kind="([^"]+)"\} (\d+)/gm))
          add(`sent ${m[1]!} repairs`, Number(m[2]))
      } catch {
        // Frozen or stopped: nothing to add.
      }
    }),
  )
  return sums
}

/** "supernodes 12.3 s (sn-6 2.1, …), pools 3.4 s (…), bench 1.2 s": where a phase's CPU went, busiest first. */
export function cpuWhere(used: Map<string, number>): string {
  const group = (label: string, names: string[]): string => {
    const rows = names.map((n) => [n, used.get(n) ?? NaN] as const).sort((a, b) => b[1] - a[1])
    const sum = rows.reduce((t, [, ms]) => t + ms, 0)
    const top = rows.slice(0, 3).map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}`)
    return `${label} ${(sum / 1000).toFixed(1)} s (${top.join(', ')})`
  }
  const names = [...used.keys()]
  return [
    group(
      'supernodes',
      names.filter((n) => n.startsWith('sn-') || n.startsWith('mega-')),
    ),
    group(
      'pools',
      names.filter((n) => n.startsWith('pool-')),
    ),
    `bench ${((used.get('bench') ?? NaN) / 1000).toFixed(1)} s`,
  ].join(', ')
}
