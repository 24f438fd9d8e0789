import { storedRootKey } from './barrier';
import type { Cluster } from './cluster';
import type { NodeState } from './node';
import { barrierConfig, purgeCaches } from './seal-access';
import type { ReadSnapshot } from './snapshot-reader';

function seal(node: NodeState): void {
  node.sealed = true;
}

/**
 * internal/vault/raft.go `raftSnapshotRestoreCallback` on one node, after storage was replaced. The keyring still opens
 * under the old root key (`performKeyUpgrades` succeeds): the node stays unsealed and `reloadShamirKey`
 * (internal/vault/ha.go) re-reads the barrier config. Otherwise Shamir seals the node, leaving its cached seal config
 * as it was; auto-unseal re-opens the barrier with the stored keys if its KMS key decrypts them, else seals.
 */
function restoreCallback(cluster: Cluster, node: NodeState, sameKeyring: boolean): boolean {
  if (sameKeyring) {
    node.barrierCache = undefined;
    barrierConfig(cluster, node);
    return true;
  }
  if (cluster.shamir) return false;
  const rootKey = storedRootKey(cluster.storage.sealRecords, cluster.kmsKey());
  return rootKey !== undefined && cluster.storage.open(rootKey);
}

/**
 * The background half of internal/vault/logical_system_raft.go `handleStorageRaftSnapshotWrite` on the active node: take
 * the state lock (every request but health now waits), preSeal, `RestoreSnapshot` (held `restoreApplyMs`),
 * the restore callback, then `postUnseal`, which purges the cached seal configs. A failed callback seals the
 * node instead, and its cache survives. Health meanwhile reads atomics: sealed false, active, until the seal.
 */
async function applyOnLeader(cluster: Cluster, leader: NodeState, snap: ReadSnapshot): Promise<boolean | undefined> {
  const generation = leader.generation;
  const release = await leader.lock.write();
  try {
    await cluster.sleep(cluster.options.restoreApplyMs ?? 0);
    // A restart of the process while the apply waited or ran: the goroutine died with it, nothing was applied.
    if (leader.generation !== generation) return undefined;
    const sameKeyring = cluster.storage.replace(snap.records, snap.fillerBytes);
    cluster.raftIndex = Math.max(cluster.raftIndex, snap.meta.Index ?? 0) + 1;
    cluster.stats.restoresApplied += 1;
    if (restoreCallback(cluster, leader, sameKeyring)) purgeCaches(leader);
    else seal(leader);
    return sameKeyring;
  } finally {
    release();
  }
}

/**
 * Followers get the snapshot through raft and run the same callback under their own state lock (Shamir: they
 * seal; auto-unseal: they re-open with the KMS). Sealed members do not run raft: they meet the new storage
 * when they unseal. Non-members (still joining) are not part of raft at all.
 */
async function applyOnFollowers(cluster: Cluster, sameKeyring: boolean): Promise<void> {
  for (const node of cluster.nodes.slice(1)) {
    if (!node.member || node.sealed) continue;
    const release = await node.lock.write();
    try {
      if (!restoreCallback(cluster, node, sameKeyring)) seal(node);
    } finally {
      release();
    }
  }
}

/** Schedules the apply of an accepted (204) restore `restoreDelayMs` after the answer (default 200 ms). */
export function scheduleRestore(cluster: Cluster, leader: NodeState, snap: ReadSnapshot): void {
  const generation = leader.generation;
  cluster.schedule(() => {
    if (leader.generation !== generation) return;
    void applyOnLeader(cluster, leader, snap).then((sameKeyring) => (sameKeyring === undefined ? undefined : applyOnFollowers(cluster, sameKeyring)));
  }, cluster.options.restoreDelayMs ?? 200);
}
