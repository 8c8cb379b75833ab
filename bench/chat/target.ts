/** A recipient under measurement: which user, how the sender reaches it, and where it runs. */
export interface Target {
  username: string
  deviceId: string
  path: 'direct' | 'relayed'
  where: 'in-process' | 'own process'
  /** Its process, for CPU figures. */
  pid: number
}

/** "relayed, own process"; "+ reuse" when the sender ran with reuse.ts's patch (cold phase). */
export function targetLabel(t: Target, reuse = false): string {
  return `${t.path}, ${t.where}${reuse ? ' + reuse' : ''}`
}
