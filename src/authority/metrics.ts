/** The authority's Prometheus metrics, on a registry of its own (several authorities may share a process in tests). */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

export interface AuthorityMetrics {
  registry: Registry
  registrations: Counter<'result'>
  signIns: Counter<'result'>
  renewals: Counter<'result'>
  revocations: Counter<'by'>
  rateLimited: Counter<'scope'>
  shed: Counter<'reason'>
  passwordHashSeconds: Histogram
  httpSeconds: Histogram<'route' | 'status'>
}

export function createAuthorityMetrics(): AuthorityMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'parley_authority_' })
  const registers = [registry]
  return {
    registry,
    registrations: new Counter({
      name: 'parley_authority_registrations_total',
      help: 'Account registrations by result',
      labelNames: ['result'],
      registers,
    }),
    signIns: new Counter({
      name: 'parley_authority_sign_ins_total',
      help: 'Device sign-ins by result (ok or an error code)',
      labelNames: ['result'],
      registers,
    }),
    renewals: new Counter({
      name: 'parley_authority_renewals_total',
      help: 'Certificate renewals by result',
      labelNames: ['result'],
      registers,
    }),
    revocations: new Counter({
      name: 'parley_authority_revocations_total',
      help: 'Device revocations by who asked',
      labelNames: ['by'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'parley_authority_rate_limited_total',
      help: 'Requests refused with 429, by limit',
      labelNames: ['scope'],
      registers,
    }),
    shed: new Counter({
      name: 'parley_authority_shed_total',
      help: 'Requests answered 503 busy because the authority was saturated, by reason',
      labelNames: ['reason'],
      registers,
    }),
    passwordHashSeconds: new Histogram({
      name: 'parley_authority_password_hash_seconds',
      help: 'Time to hash or check one password (scrypt)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    httpSeconds: new Histogram({
      name: 'parley_authority_http_request_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    }),
  }
}
