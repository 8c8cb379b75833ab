/**
 * The offline store: sealed items for recipients with no device online, held
 * on the recipient's R directory replicas. The durable store (SQLite) and the
 * sans-IO cores that decide quotas, paging, gathering replica answers, load
 * shedding and repair; the libp2p adapter is src/supernode/offline-service.ts
 * and docs/offline.md tells the whole story.
 */
export { OfflineStore, DEFAULT_PAGE, DEFAULT_RETENTION_MS } from './store.js'
export type { OfflineStoreOptions, PutResult, RepairCursor, TakeOptions, TakeResult } from './store.js'
export { DEFAULT_QUOTAS, Usage } from './quota.js'
export type { Charge, QuotaBreach, Quotas } from './quota.js'
export { batches, pageLength } from './paging.js'
export type { PageLimits } from './paging.js'
export { DEFAULT_GATHER, Gather } from './gather.js'
export type { GatherAnswer, GatherOptions, GatherResult } from './gather.js'
export { Shedder } from './shed.js'
export type { Lane, ShedderOptions } from './shed.js'
export { planKeyRepair } from './repair.js'
export type { KeyPush, PlanKeyRepairArgs } from './repair.js'
export { hexId, itemBytes } from './types.js'
export type { OfflineCopy, OfflineItem } from './types.js'
