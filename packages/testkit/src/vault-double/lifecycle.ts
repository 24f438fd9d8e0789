import { storedRootKey } from './barrier';
import type { Cluster } from './cluster';
import { startJoinLoop } from './join';
import { restartProcess } from './node';
import { barrierConfig, recoveryConfig, unsealInternal } from './seal-access';
import type { InitResult } from './types';

/**
 * A cluster created initialized: node 0 ran `sys/init` and was unsealed with its keys (its cache purged by
 * postUnseal, then filled again by the first seal-status or health read, as on any running node); every
 * follower joined it (caching the leader's config, as `answerChallenge` does) and was unsealed as a standby.
 */
export function bootInitialized(cluster: Cluster, shares: number, threshold: number): InitResult {
  const [leader, ...followers] = cluster.nodes;
  if (!leader) throw new Error('a cluster needs at least one node');
  const result = cluster.initialize(leader, shares, threshold);
  const rootKey = cluster.storage.keys?.rootKey;
  if (!rootKey) throw new Error('init left no root key');
  const leaderConfig = cluster.storage.barrierConfig();
  if (leader.sealed) unsealInternal(cluster, leader, rootKey);
  barrierConfig(cluster, leader);
  recoveryConfig(cluster, leader);
  for (const follower of followers) {
    Object.assign(follower, { member: true, sealKey: leader.sealKey, barrierCache: leaderConfig && { ...leaderConfig } });
    unsealInternal(cluster, follower, rootKey);
  }
  return result;
}

/** A cluster created fresh: followers start in raft join mode (the Helm chart's HA raft with retry_join). */
export function bootFresh(cluster: Cluster): void {
  for (const follower of cluster.nodes.slice(1)) startJoinLoop(cluster, follower);
}

/**
 * Restarts node `index`'s process: in-flight requests are dropped, memory (cached configs, unseal progress,
 * the seal's key, the lock, join waits) is lost. A member comes back sealed, or unsealed by its KMS key when
 * that opens the stored keys (internal/command/server.go `UnsealWithStoredKeys`); a follower that never joined
 * re-enters join mode. @throws Error for an unknown index.
 */
export function restartNode(cluster: Cluster, index: number): void {
  const node = cluster.nodes[index];
  if (!node) throw new Error(`no node ${index}: the cluster has ${cluster.nodes.length}`);
  restartProcess(node, cluster.options.clusterName);
  if (!node.member) {
    if (index > 0) startJoinLoop(cluster, node);
    return;
  }
  if (cluster.shamir) return;
  const rootKey = storedRootKey(cluster.storage.sealRecords, cluster.kmsKey());
  if (rootKey) unsealInternal(cluster, node, rootKey);
}
