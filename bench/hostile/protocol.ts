/** What the bench and its attacker and sink processes tell each other over IPC. */

export type AttackKind = 'membership' | 'offline' | 'lookup'

/** victims: the attacker's targets; sink: the discard sink, same bytes and rate; idle: nothing. */
export type Aim = 'victims' | 'sink' | 'idle'

export interface AttackerConfig {
  kind: AttackKind
  /** Sends per second to each victim (and as many to the sink when aimed there). */
  ratePerVictim: number
  /** Victims' multiaddrs and peer ids (membership, offline); a lookup attacker's victim is its own supernode. */
  victims: string[][]
  victimIds: string[]
  sink: string[]
  /** The devnet's PARLEY_HOME and the signed-in profile a lookup attacker runs as. */
  home: string
  profile?: string
  logFile: string
}

export type ToAttacker = { type: 'aim'; aim: Aim } | { type: 'count' } | { type: 'stop' }

export interface AttackerReport {
  sent: number
  /** Sends that threw (refusals come back as answers, so these are timeouts and resets). */
  failed: number
  /** Ticks that found MAX_IN_FLIGHT sends outstanding: the attacker could not keep its rate. */
  skipped: number
}

export type FromAttacker =
  { type: 'ready'; peerId: string; victimIds: string[] } | ({ type: 'count' } & AttackerReport)
