/**
 * The offline store: sealed items for recipients with no device online, held
 * on the recipient's R directory replicas. The durable store (SQLite) and the
 * sans-IO cores that decide quotas, paging, gathering replica answers, load
 * shedding, repair, and who may store, read or delete (access.ts,
 * deposit.ts, admit.ts); the libp2p adapter is src/supernode/offline-service.ts
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
export { ACCESS_MAX_AHEAD_MS, ACCESS_TTL_MS, AccessKind, signAccess, verifyAccess } from './access.js'
export type { AccessInput, AccessWanted } from './access.js'
export { contentDigest, copyDigest, signDeposit, verifyDeposit } from './deposit.js'
export type { Depositable, Depositor } from './deposit.js'
export { admitStore } from './admit.js'
export type { AdmitContext, Admitted } from './admit.js'
export { OfflineAuthError } from './errors.js'
export type { OfflineAuthCode } from './errors.js'
