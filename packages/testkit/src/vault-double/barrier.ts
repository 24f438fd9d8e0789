import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, kmsKey, sha256Hex } from './crypto';
import type { SealType } from './types';
import type { StorageRecord } from './storage-codec';

/**
 * Stored seal configuration (plaintext in storage, as in Vault). Shamir is simulated: each unseal key
 * is a random 32-byte key that wraps the key-encryption key; the double counts distinct valid keys
 * up to the threshold instead of combining polynomial shares.
 */
export interface SealConfig {
  type: SealType;
  kmsKeyId?: string;
  secretShares: number;
  secretThreshold: number;
  shareHashes: string[];
  shareWraps: string[];
  recoveryShares: number;
  recoveryThreshold: number;
  recoveryHashes: string[];
}

/** kek opens the root key; the root key opens the keyring key; the keyring key encrypts every value. */
export interface BarrierKeys {
  kek: Buffer;
  rootKey: Buffer;
  keyringKey: Buffer;
}

/** Creates keys and seal configuration as `sys/init` does; `shares` are the unseal (or recovery) keys. */
export function createBarrier(type: SealType, kmsKeyId: string, shares: number, threshold: number): { config: SealConfig; keys: BarrierKeys; shares: Buffer[] } {
  const shamir = type === 'shamir';
  const kek = shamir ? randomBytes(32) : kmsKey(kmsKeyId);
  const keys = { kek, rootKey: randomBytes(32), keyringKey: randomBytes(32) };
  const keyShares = Array.from({ length: shares }, () => randomBytes(32));
  const hashes = keyShares.map((s) => sha256Hex(s));
  const config: SealConfig = {
    type,
    ...(shamir ? {} : { kmsKeyId }),
    secretShares: shamir ? shares : 1,
    secretThreshold: shamir ? threshold : 1,
    shareHashes: shamir ? hashes : [],
    shareWraps: shamir ? keyShares.map((s) => encrypt(s, kek).toString('base64')) : [],
    recoveryShares: shamir ? 0 : shares,
    recoveryThreshold: shamir ? 0 : threshold,
    recoveryHashes: shamir ? [] : hashes,
  };
  return { config, keys, shares: keyShares };
}

/** The records that hold the seal configuration and the wrapped keys. */
export function barrierRecords(config: SealConfig, keys: BarrierKeys): StorageRecord[] {
  return [
    { key: 'core/seal-config', value: Buffer.from(JSON.stringify(config)) },
    { key: 'core/root-key', value: encrypt(keys.kek, keys.rootKey) },
    { key: 'core/keyring', value: encrypt(keys.rootKey, keys.keyringKey) },
  ];
}

/** Reads the seal configuration from restored records; undefined when missing or malformed. */
export function sealConfigFrom(records: StorageRecord[]): SealConfig | undefined {
  const record = records.find((r) => r.key === 'core/seal-config');
  if (!record) return undefined;
  try {
    return JSON.parse(record.value.toString()) as SealConfig;
  } catch {
    return undefined;
  }
}

/** Opens the root key and keyring with a kek. @throws Error when the kek is not this barrier's. */
export function openBarrier(records: StorageRecord[], kek: Buffer): BarrierKeys {
  const rootRecord = records.find((r) => r.key === 'core/root-key');
  const ringRecord = records.find((r) => r.key === 'core/keyring');
  if (!rootRecord || !ringRecord) throw new Error('no keyring in storage');
  const rootKey = decrypt(kek, rootRecord.value);
  return { kek, rootKey, keyringKey: decrypt(rootKey, ringRecord.value) };
}

/** The kek unwrapped by an unseal key, or undefined when the key is not one of this config's shares. */
export function kekFromShare(config: SealConfig, share: Buffer): Buffer | undefined {
  const index = config.shareHashes.indexOf(sha256Hex(share));
  const wrap = config.shareWraps[index];
  if (index < 0 || wrap === undefined || share.length !== 32) return undefined;
  try {
    return decrypt(share, Buffer.from(wrap, 'base64'));
  } catch {
    return undefined;
  }
}
