import type { Cluster } from './cluster';
import type { NodeState } from './node';
import type { NodeView, VaultDoubleState } from './types';

/** One node as tests see it; reads without side effects (no cache fill). */
function nodeView(cluster: Cluster, node: NodeState): NodeView {
  const cached = cluster.shamir ? node.barrierCache : node.recoveryCache;
  return {
    index: node.index,
    sealed: node.sealed,
    initialized: node.member || node.raftInfo !== undefined,
    joined: node.member,
    cachedThreshold: cached?.secretThreshold,
    cachedShares: cached?.secretShares,
    progress: node.progress.length,
    waitingUnseals: node.joinWait ? 1 : 0,
    joinAttempts: node.joinAttempts,
    lock: node.lock.held,
    lockWaiters: node.lock.waiting,
  };
}

/** A copy of the cluster's observable state, for assertions. */
export function stateOf(cluster: Cluster): VaultDoubleState {
  const model = cluster.storage.model;
  const tokens = model ? [...model.tokens.values()] : [];
  return {
    initialized: cluster.storage.initialized,
    sealed: cluster.nodes.map((n) => n.sealed),
    nodes: cluster.nodes.map((n) => nodeView(cluster, n)),
    sealType: cluster.product.sealType,
    raftIndex: cluster.raftIndex,
    term: cluster.term,
    restoresAccepted: cluster.stats.restoresAccepted,
    restoresApplied: cluster.stats.restoresApplied,
    revokedTokens: tokens.filter((t) => t.revoked).length,
    liveTokens: tokens.filter((t) => !t.revoked).length,
    failedLogins: cluster.stats.failedLogins,
    snapshotsServed: cluster.stats.snapshotsServed,
    policies: model ? [...model.policies.keys()].sort() : [],
    authMounts: model ? [...model.authMounts.keys()].sort() : [],
    clusterId: model?.clusterId,
    clusterName: model?.clusterName,
  };
}
