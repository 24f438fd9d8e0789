import { randomUUID } from 'node:crypto';
import { storedRecoveryKey, storedRootKey } from './barrier';
import type { Cluster } from './cluster';
import { HttpError } from './http-util';
import { waitForJoin } from './join';
import type { NodeState } from './node';
import { barrierConfig, isInitialized, recoveryConfig, unsealInternal } from './seal-access';
import { combine, SHARE_OVERHEAD } from './shamir';

/** internal/vault/barrier/aes_gcm.go `KeyLength`: 16..32 bytes, plus one byte of Shamir overhead for a share. */
const KEY_MIN = 16;
const KEY_MAX = 32 + SHARE_OVERHEAD;

/** internal/vault/seal_manager.go `ErrInvalidKey`: internal/http/sys_seal.go answers it with 400. */
function invalidKey(reason: string): HttpError {
  return new HttpError(400, [`invalid key: ${reason}`]);
}

/** What the shamir wrapper accepts (`SetAesGcmKeyBytes` -> aes.NewCipher): AES-128, -192 or -256 keys. */
function aesKeyError(key: Buffer): string | undefined {
  return [16, 24, 32].includes(key.length) ? undefined : `crypto/aes: invalid key size ${key.length}`;
}

/**
 * internal/vault/seal_manager.go `getUnsealKey`: records the part; once the threshold of the config in force is met
 * (recovery config for auto-unseal, the leader's config while joining raft, else the node's barrier config,
 * cached), combines the parts. A threshold of 1 takes the first part as the whole key. Undefined while short.
 */
function collect(cluster: Cluster, node: NodeState, key: Buffer): Buffer | undefined {
  if (node.progress.some((k) => k.equals(key))) return undefined;
  if (node.progress.length === 0) node.nonce = randomUUID();
  node.progress.push(key);
  const config = !cluster.shamir ? recoveryConfig(cluster, node) : (node.raftInfo?.leaderConfig ?? barrierConfig(cluster, node));
  if (!config) throw new HttpError(500, ['namespace barrier reports initialized but no seal configuration found']);
  if (node.progress.length < config.secretThreshold) return undefined;
  const parts = node.progress;
  Object.assign(node, { progress: [], nonce: '' });
  if (config.secretThreshold === 1) return Buffer.from(parts[0] ?? []);
  try {
    return combine(parts);
  } catch (err) {
    throw invalidKey(`failed to compute combined key: ${(err as Error).message}`);
  }
}

/** internal/vault/seal_autoseal.go `VerifyRecoveryKey`, as `getUnsealKey` wraps it. */
function verifyRecoveryKey(cluster: Cluster, combined: Buffer): void {
  const stored = storedRecoveryKey(cluster.storage.sealRecords, cluster.kmsKey());
  if (!stored) throw invalidKey('failed to verify recovery key: failed to decrypt encrypted stored keys: cipher: message authentication failed');
  if (!stored.equals(combined)) throw invalidKey('failed to verify recovery key: recovery key does not match submitted values');
}

/**
 * internal/vault/seal_manager.go `unsealKeyToRootKey`: Shamir sets the combined key in the seal's wrapper, then both
 * families decrypt the stored root key with the seal (internal/vault/seal.go `readStoredKeys`); a wrong combined key
 * fails there with "message authentication failed", which is an invalid key (400).
 */
function rootKeyFor(cluster: Cluster, node: NodeState, combined: Buffer): Buffer {
  let sealKey = cluster.kmsKey();
  if (cluster.shamir) {
    const bad = aesKeyError(combined);
    if (bad) throw invalidKey(`failed to setup unseal key: ${bad}`);
    node.sealKey = combined;
    sealKey = combined;
  }
  const rootKey = storedRootKey(cluster.storage.sealRecords, sealKey);
  if (rootKey) return rootKey;
  if (cluster.shamir) throw new HttpError(400, ['unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed']);
  throw new HttpError(500, ['unable to retrieve stored keys: failed to decrypt keys from storage: cipher: message authentication failed']);
}

/**
 * One `PUT sys/unseal` key on a node (internal/vault/core.go `unsealFragment`), with the node's state lock held by the
 * caller. A follower in raft join mode ends in `unsealWithRaft`, which waits for the join.
 * @throws HttpError 400 for what internal/http/sys_seal.go maps to 400 (invalid key, not initialized), else 500.
 */
export async function unsealFragment(cluster: Cluster, node: NodeState, key: Buffer): Promise<void> {
  if (!isInitialized(cluster, node)) throw new HttpError(400, ['Vault is not initialized']);
  if (!node.sealed) return;
  if (key.length < KEY_MIN) throw invalidKey(`key is shorter than minimum ${KEY_MIN} bytes`);
  if (key.length > KEY_MAX) throw invalidKey(`key is longer than maximum ${KEY_MAX} bytes`);
  const combined = collect(cluster, node, key);
  if (!combined) return;
  if (!cluster.shamir) verifyRecoveryKey(cluster, combined);
  if (node.raftInfo) return unsealWithRaft(cluster, node, combined);
  const rootKey = rootKeyFor(cluster, node, combined);
  if (!unsealInternal(cluster, node, rootKey)) throw new HttpError(400, ['unseal failed, invalid key']);
}

/**
 * internal/vault/core.go `unsealWithRaft`: sets the combined key in the seal (a bad size is returned as is: 500), then,
 * as retry_join is in progress, waits for the join loop to complete (`<-c.raftJoinDoneCh`) while the caller
 * holds the state lock; the node unseals in the background once the keyring has replicated (see join.ts).
 */
async function unsealWithRaft(cluster: Cluster, node: NodeState, combined: Buffer): Promise<void> {
  const bad = aesKeyError(combined);
  if (bad) throw new HttpError(500, [bad]);
  node.sealKey = combined;
  await waitForJoin(cluster, node, combined);
}
