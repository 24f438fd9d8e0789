import type { SealConfig } from './barrier';
import type { Cluster } from './cluster';
import type { NodeState } from './node';

/**
 * The node's barrier seal config: the cached copy when there is one, else storage's, which is then cached
 * (internal/vault/seal.go `defaultSeal.BarrierConfig`, internal/vault/seal_autoseal.go `autoSeal.BarrierConfig`).
 */
export function barrierConfig(cluster: Cluster, node: NodeState): SealConfig | undefined {
  if (node.barrierCache) return { ...node.barrierCache };
  const stored = node.member ? cluster.storage.barrierConfig() : undefined;
  if (stored) node.barrierCache = { ...stored };
  return stored;
}

/** The recovery config of an auto-unseal node, cached the same way (internal/vault/seal_autoseal.go `RecoveryConfig`). */
export function recoveryConfig(cluster: Cluster, node: NodeState): SealConfig | undefined {
  if (node.recoveryCache) return { ...node.recoveryCache };
  const stored = node.member ? cluster.storage.recoveryConfig() : undefined;
  if (stored) node.recoveryCache = { ...stored };
  return stored;
}

/** The config seal-status shows and unseal counts against: recovery for auto-unseal (internal/vault/logical_system.go `GetSealStatus`). */
export function statusConfig(cluster: Cluster, node: NodeState): SealConfig | undefined {
  return cluster.shamir ? barrierConfig(cluster, node) : recoveryConfig(cluster, node);
}

/** Drops the cached configs (`SetBarrierConfig(ctx, nil)`, `SetRecoveryConfig(ctx, nil)`). */
export function purgeCaches(node: NodeState): void {
  node.barrierCache = undefined;
  node.recoveryCache = undefined;
}

/**
 * internal/vault/init.go `Initialized`: the local barrier holds a seal config (read through the cache), or a raft join
 * is under way (`isRaftUnseal`), or raft has been bootstrapped/joined.
 */
export function isInitialized(cluster: Cluster, node: NodeState): boolean {
  if (node.member && barrierConfig(cluster, node) !== undefined) return true;
  return node.raftInfo !== undefined || node.member;
}

/**
 * internal/vault/core.go `unsealInternal` with raft HA: the barrier opens and the node unseals as a standby; node 0 then
 * takes the active role, whose `postUnseal` purges the cached seal configs (internal/vault/core.go `postUnseal`,
 * internal/vault/ha.go `waitForLeadership`). Standbys keep theirs, which is why they can show stale t/n (vault#13416).
 */
export function unsealInternal(cluster: Cluster, node: NodeState, rootKey: Buffer): boolean {
  if (!cluster.storage.open(rootKey)) return false;
  node.sealed = false;
  node.progress = [];
  node.nonce = '';
  if (node.index === 0) purgeCaches(node);
  return true;
}
