/**
 * The one-hop directory among supernodes, as sans-IO cores: where a
 * username's records live (placement), what a replica keeps (records), what
 * moves when membership changes (repair), and how a lookup asks the replicas
 * without waiting on the dead (lookup). The libp2p adapter verifies records
 * and runs these; docs/directory.md tells the whole story.
 */
export { Placement, REPLICATION_FACTOR, replicasFor } from './placement.js'
export type { Placed, PlacementOptions } from './placement.js'
export { RecordStore } from './records.js'
export type { PutResult, RecordStoreOptions, StoredRecord } from './records.js'
export { notMine, planRepair } from './repair.js'
export type { NotMineArgs, PlanRepairArgs, RepairPush } from './repair.js'
export {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_HEDGE_DELAY_MS,
  DEFAULT_NOT_FOUND_QUORUM,
  DEFAULT_OVERALL_TIMEOUT_MS,
  Lookup,
} from './lookup.js'
export type { LookupFailure, LookupOptions, LookupResult, ReplicaAnswer } from './lookup.js'
