/** bench:chat's options (`npm run bench:chat -- --help` lists them in bench/chat.ts). */
import { parseArgs } from 'node:util'
import { UsageError } from '../support/cleanup.js'
import type { Target } from './target.js'

export type Phase = 'latency' | 'cold' | 'send-cost' | 'throughput' | 'paced' | 'offline'
const PHASES: Phase[] = ['latency', 'cold', 'send-cost', 'throughput', 'paced', 'offline']

export interface Plan {
  samples: number
  costMessages: number
  coldRounds: number
  warmup: number
  messages: number
  /** The paced phase: messages a second, for this many seconds. */
  pacedRate: number
  pacedSeconds: number
  deposits: number
  singleDeposits: number
  inFlight: number
  where: Target['where'][]
  phases: Set<Phase>
  /** Minutes to wait in all for a quiet machine. */
  maxWaitMin: number
  keep: boolean
}

export function parsePlan(argv: string[]): Plan {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        samples: { type: 'string', default: '1000' },
        'cold-rounds': { type: 'string', default: '8' },
        warmup: { type: 'string', default: '100' },
        messages: { type: 'string', default: '20000' },
        'paced-rate': { type: 'string', default: '1000' },
        'paced-seconds': { type: 'string', default: '5' },
        deposits: { type: 'string', default: '8192' },
        'single-deposits': { type: 'string', default: '2000' },
        'in-flight': { type: 'string', default: '8' },
        where: { type: 'string', default: 'in-process,own-process' },
        phases: { type: 'string', default: PHASES.join(',') },
        'cost-messages': { type: 'string', default: '2000' },
        'max-wait': { type: 'string', default: '10' },
        keep: { type: 'boolean', default: false },
      },
    }))
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message}; options: --samples N --cold-rounds N --warmup N --messages N --paced-rate N --paced-seconds N ` +
        '--deposits N --single-deposits N --in-flight N --where in-process,own-process ' +
        '--phases latency,cold,send-cost,throughput,paced,offline --cost-messages N --max-wait M --keep',
    )
  }
  const count = (name: string, text: string, min = 1): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${name} "${text}" must be a whole number ≥ ${min}`)
    return n
  }
  const where = values.where.split(',').map((w) => (w === 'own-process' ? 'own process' : w))
  if (where.length === 0 || where.some((w) => w !== 'in-process' && w !== 'own process'))
    throw new UsageError('--where takes in-process, own-process or both')
  const phases = values.phases.split(',')
  if (phases.length === 0 || phases.some((p) => !(PHASES as string[]).includes(p)))
    throw new UsageError(`--phases takes one or more of ${PHASES.join(', ')}`)
  return {
    samples: count('samples', values.samples),
    costMessages: count('cost-messages', values['cost-messages']),
    coldRounds: count('cold-rounds', values['cold-rounds']),
    warmup: count('warmup', values.warmup, 0),
    messages: count('messages', values.messages),
    pacedRate: count('paced-rate', values['paced-rate']),
    pacedSeconds: count('paced-seconds', values['paced-seconds']),
    deposits: count('deposits', values.deposits),
    singleDeposits: count('single-deposits', values['single-deposits']),
    inFlight: count('in-flight', values['in-flight']),
    where: where as Target['where'][],
    phases: new Set(phases as Phase[]),
    maxWaitMin: count('max-wait', values['max-wait'], 0),
    keep: values.keep,
  }
}
