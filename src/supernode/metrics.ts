/** A supernode's Prometheus metrics. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

export function createSupernodeMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'parley_supernode_' })
  const registers = [registry]
  return {
    registry,
    attached: new Gauge({
      name: 'parley_supernode_attached_devices',
      help: 'Devices attached now',
      registers,
    }),
    capacity: new Gauge({
      name: 'parley_supernode_capacity',
      help: 'Devices this supernode accepts',
      registers,
    }),
    attachments: new Counter({
      name: 'parley_supernode_attach_total',
      help: 'Attach requests by result (attached, busy, or a refusal code)',
      labelNames: ['result'],
      registers,
    }),
    members: new Gauge({
      name: 'parley_supernode_members',
      help: 'Supernodes this one sees alive, itself included',
      registers,
    }),
    records: new Gauge({
      name: 'parley_supernode_directory_records',
      help: 'Presence records held',
      registers,
    }),
    directory: new Counter({
      name: 'parley_supernode_directory_requests_total',
      help: 'Directory requests by kind and result',
      labelNames: ['kind', 'result'],
      registers,
    }),
    directoryRepairs: new Counter({
      name: 'parley_supernode_directory_repairs_total',
      help: 'Records given to stored ranks that lacked them, by kind (handoff: a retry of a push they did not take; read: a lookup found the record past them)',
      labelNames: ['kind'],
      registers,
    }),
    directoryStoresSent: new Counter({
      name: 'parley_supernode_directory_stores_sent_total',
      help: 'Records this supernode sent to other ranks in store requests (several records share a request while one to the same peer is out), by result',
      labelNames: ['result'],
      registers,
    }),
    directoryProbeSkips: new Counter({
      name: 'parley_supernode_directory_probe_skips_total',
      help: 'Directory requests not sent: the peer failed several times in a row and a probe to it was still out',
      registers,
    }),
    directoryOwed: new Gauge({
      name: 'parley_supernode_directory_owed',
      help: 'Records owed to stored ranks that did not take them yet (hinted handoff)',
      registers,
    }),
    lookupSeconds: new Histogram({
      name: 'parley_supernode_lookup_seconds',
      help: 'Time to answer a device lookup from the replicas',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    }),
    offlineItems: new Gauge({
      name: 'parley_supernode_offline_items',
      help: 'Sealed items held in the offline store',
      registers,
    }),
    offline: new Counter({
      name: 'parley_supernode_offline_requests_total',
      help: 'Offline store requests by kind (deposit, fetch, ack, store, take, drop) and result (ok, busy, or a refusal code)',
      labelNames: ['kind', 'result'],
      registers,
    }),
    offlineShed: new Counter({
      name: 'parley_supernode_offline_shed_total',
      help: 'Offline store requests answered busy at once because too many were in progress, by lane (device, replica)',
      labelNames: ['lane'],
      registers,
    }),
    offlineRepaired: new Counter({
      name: 'parley_supernode_offline_repair_items_total',
      help: 'Sealed items pushed to new replicas after membership changes, by result (ok, failed)',
      labelNames: ['result'],
      registers,
    }),
    refused: new Counter({
      name: 'parley_supernode_refused_total',
      help: 'Messages refused as hostile or unauthorised, by protocol and stable code',
      labelNames: ['protocol', 'code'],
      registers,
    }),
    membershipDead: new Gauge({
      name: 'parley_supernode_membership_dead',
      help: 'Dead members and tombstones remembered (bounded by retention)',
      registers,
    }),
    streamErrors: new Counter({
      name: 'parley_supernode_stream_errors_total',
      help: 'Inbound streams ended by an error (malformed, oversized, timed out)',
      labelNames: ['protocol'],
      registers,
    }),
    membershipBytes: new Counter({
      name: 'parley_supernode_membership_bytes_sent_total',
      help: 'Membership protocol bytes sent',
      registers,
    }),
    eventLoopDelay: new Gauge({
      name: 'parley_supernode_event_loop_delay_p99_seconds',
      help: "The event loop's delay p99 over the last second",
      registers,
    }),
    overloadLevel: new Gauge({
      name: 'parley_supernode_overload_level',
      help: 'Classes of work an overloaded supernode would shed: 0 none, 1 new attachments, 2 and lookups for others, 3 and offline writes, 4 and its own devices (docs/supernodes.md)',
      registers,
    }),
  }
}

export type SupernodeMetrics = ReturnType<typeof createSupernodeMetrics>
