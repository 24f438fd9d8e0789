import { storedRootKey } from './barrier';
import type { Cluster } from './cluster';
import { HttpError } from './http-util';
import type { NodeState } from './node';
import { barrierConfig, unsealInternal } from './seal-access';

/** Vault retries a join every 2 s; tests default to less. */
const DEFAULT_INTERVAL_MS = 100;
const DEFAULT_DELAY_MS = 50;

function delayMs(cluster: Cluster): number {
  return cluster.options.joinDelayMs ?? DEFAULT_DELAY_MS;
}

/**
 * internal/vault/raft.go `getRaftChallenge`: the leader answers `sys/storage/raft/bootstrap/challenge` only when it is
 * initialized, unsealed and active, and not behind its state lock (the challenge is a logical request).
 */
function leaderReady(cluster: Cluster, node: NodeState): NodeState | undefined {
  const leader = cluster.activeNode();
  if (!leader || leader === node || leader.lock.held === 'write') return undefined;
  return cluster.storage.initialized ? leader : undefined;
}

/** After the join (answer accepted, raft set up), the storage is this node's too. */
function becomeMember(node: NodeState): void {
  node.member = true;
  node.raftInfo = undefined;
}

/**
 * The goroutine of internal/vault/core.go `unsealWithRaft` (Shamir) and the stored-keys unseal of an auto-unseal node
 * (internal/command/server.go `UnsealWithStoredKeys`): once the keyring has replicated, open the barrier as a standby.
 */
function unsealWhenReplicated(cluster: Cluster, node: NodeState, sealKey: Buffer): void {
  const generation = node.generation;
  cluster.schedule(() => {
    if (node.generation !== generation || !node.sealed) return;
    const rootKey = storedRootKey(cluster.storage.sealRecords, sealKey);
    // "failed to read root key": the goroutine logs and gives up; the node stays sealed.
    if (rootKey) unsealInternal(cluster, node, rootKey);
  }, delayMs(cluster));
}

/**
 * One join attempt (internal/vault/raft.go `JoinRaftCluster`, the `join` and `answerChallenge` closures). Shamir: store
 * the challenge and the leader's seal config (`SetBarrierConfig` only caches during a raft unseal), then, if
 * an unseal call waits with a combined key that decrypts the challenge, answer it and finish the join.
 * Auto-unseal: answer at once with the KMS. Returns true once the join is done or under way.
 */
function attemptJoin(cluster: Cluster, node: NodeState): boolean {
  const leader = leaderReady(cluster, node);
  const leaderConfig = leader && barrierConfig(cluster, leader);
  if (!leader || !leaderConfig) return false;
  const generation = node.generation;
  const later = (fn: () => void) => cluster.schedule(() => node.generation === generation && fn(), delayMs(cluster));
  if (!cluster.shamir) {
    later(() => {
      becomeMember(node);
      unsealWhenReplicated(cluster, node, cluster.kmsKey());
    });
    return true;
  }
  const challengeKey = leader.sealKey;
  if (!challengeKey) return false;
  node.raftInfo = { leaderConfig, challengeKey, joinInProgress: true };
  node.barrierCache = { ...leaderConfig };
  const wait = node.joinWait;
  // No keys yet ("waiting for unseal keys to be supplied"), or keys that do not decrypt the challenge: retry.
  if (!wait?.combinedKey.equals(challengeKey)) return false;
  node.joinWait = undefined;
  later(() => {
    becomeMember(node);
    wait.done();
    unsealWhenReplicated(cluster, node, wait.combinedKey);
  });
  return true;
}

/** Starts a follower's retry-join loop: an attempt now, then every `joinIntervalMs` until one succeeds. */
export function startJoinLoop(cluster: Cluster, node: NodeState): void {
  const generation = node.generation;
  const tick = () => {
    if (node.generation !== generation || node.member) return;
    node.joinAttempts += 1;
    if (!attemptJoin(cluster, node)) cluster.schedule(tick, cluster.options.joinIntervalMs ?? DEFAULT_INTERVAL_MS);
  };
  cluster.schedule(tick, 0);
}

/**
 * The unseal call's side of the join: resolves when the loop has joined with this combined key, never when the
 * key is wrong (the caller keeps the state lock). The `joinErrors` fault takes the branch of `unsealWithRaft`
 * where the call sends the answer itself and returns its failure: 500, the node still in join mode.
 */
export async function waitForJoin(cluster: Cluster, node: NodeState, combinedKey: Buffer): Promise<void> {
  const errors = cluster.faults.joinErrors ?? 0;
  if (errors > 0) {
    cluster.faults.joinErrors = errors - 1;
    await cluster.sleep(delayMs(cluster));
    const leaderUrl = cluster.nodes[0]?.url ?? '';
    throw new HttpError(500, [`Error making API request.\n\nURL: PUT ${leaderUrl}/v1/sys/storage/raft/bootstrap/answer\nCode: 500. Errors:\n\n* leadership lost while committing log`]);
  }
  await new Promise<void>((done) => {
    node.joinWait = { combinedKey, done };
  });
}
