import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, kmsKey } from './crypto';
import { split } from './shamir';
import type { StorageRecord } from './storage-codec';

/** A seal configuration as Vault stores it (internal/vault/seal.go `SealConfig`): type, shares, threshold. */
export interface SealConfig {
  type: string;
  secretShares: number;
  secretThreshold: number;
}

/** The barrier's in-memory keys: the root key opens the keyring, whose key encrypts every value. */
export interface BarrierKeys {
  rootKey: Buffer;
  keyringKey: Buffer;
}

/** Storage paths of the seal records, as in Vault (internal/vault/seal.go, internal/vault/barrier/aes_gcm.go). */
export const PATHS = {
  sealConfig: 'core/seal-config',
  recoveryConfig: 'core/recovery-config',
  storedKeys: 'core/hsm/barrier-unseal-keys',
  recoveryKey: 'core/recovery-key',
  keyring: 'core/keyring',
} as const;

/** What `sys/init` creates: seal records for storage, the barrier keys, the seal key and the shares handed out. */
export interface NewBarrier {
  records: StorageRecord[];
  keys: BarrierKeys;
  /** Shamir: the key the shares combine to (it wraps the root key); auto-unseal: the KMS key. */
  sealKey: Buffer;
  barrierConfig: SealConfig;
  recoveryConfig: SealConfig | undefined;
  /** Unseal keys (Shamir) or recovery keys (auto-unseal). */
  shares: Buffer[];
}

/** Shares of a 32-byte key; a single share is the key itself (internal/vault/init.go `generateShares`). */
function sharesOf(key: Buffer, shares: number, threshold: number): Buffer[] {
  return shares === 1 ? [Buffer.from(key)] : split(key, shares, threshold);
}

/**
 * `sys/init` (internal/vault/init.go `Initialize`): Shamir splits a fresh seal key; auto-unseal uses the KMS key, sets the
 * barrier config to 1/1 and splits a recovery key instead (stored encrypted by the KMS key).
 */
export function createBarrier(type: string, kmsKeyId: string, shares: number, threshold: number): NewBarrier {
  const shamir = type === 'shamir';
  const sealKey = shamir ? randomBytes(32) : kmsKey(kmsKeyId);
  const keys = { rootKey: randomBytes(32), keyringKey: randomBytes(32) };
  const barrierConfig = { type, secretShares: shamir ? shares : 1, secretThreshold: shamir ? threshold : 1 };
  const recoveryConfig = shamir ? undefined : { type: 'shamir', secretShares: shares, secretThreshold: threshold };
  const recoveryKey = randomBytes(32);
  const records: StorageRecord[] = [
    { key: PATHS.sealConfig, value: Buffer.from(JSON.stringify(barrierConfig)) },
    { key: PATHS.storedKeys, value: encrypt(sealKey, keys.rootKey) },
    { key: PATHS.keyring, value: encrypt(keys.rootKey, keys.keyringKey) },
  ];
  if (recoveryConfig) {
    records.push({ key: PATHS.recoveryConfig, value: Buffer.from(JSON.stringify(recoveryConfig)) });
    records.push({ key: PATHS.recoveryKey, value: encrypt(sealKey, recoveryKey) });
  }
  const handedOut = shamir ? sharesOf(sealKey, shares, threshold) : shares === 0 ? [] : sharesOf(recoveryKey, shares, threshold);
  return { records, keys, sealKey, barrierConfig, recoveryConfig, shares: handedOut };
}

function configAt(records: StorageRecord[], key: string): SealConfig | undefined {
  const record = records.find((r) => r.key === key);
  if (!record) return undefined;
  try {
    return JSON.parse(record.value.toString()) as SealConfig;
  } catch {
    return undefined;
  }
}

/** The stored barrier seal config (plaintext in storage); undefined when storage is not initialized. */
export function barrierConfigFrom(records: StorageRecord[]): SealConfig | undefined {
  return configAt(records, PATHS.sealConfig);
}

/** The stored recovery config of an auto-unseal cluster. */
export function recoveryConfigFrom(records: StorageRecord[]): SealConfig | undefined {
  return configAt(records, PATHS.recoveryConfig);
}

function openRecord(records: StorageRecord[], path: string, key: Buffer): Buffer | undefined {
  const record = records.find((r) => r.key === path);
  if (!record) return undefined;
  try {
    return decrypt(key, record.value);
  } catch {
    return undefined;
  }
}

/** The root key, decrypted with the seal key (internal/vault/seal.go `readStoredKeys`); undefined for a wrong key. */
export function storedRootKey(records: StorageRecord[], sealKey: Buffer): Buffer | undefined {
  return openRecord(records, PATHS.storedKeys, sealKey);
}

/** The recovery key, decrypted with the KMS key (internal/vault/seal_autoseal.go `getRecoveryKeyInternal`). */
export function storedRecoveryKey(records: StorageRecord[], sealKey: Buffer): Buffer | undefined {
  return openRecord(records, PATHS.recoveryKey, sealKey);
}

/** The keyring key under a root key; undefined when the keyring was written under another root key. */
export function keyringKeyFrom(records: StorageRecord[], rootKey: Buffer): Buffer | undefined {
  return openRecord(records, PATHS.keyring, rootKey);
}

const SEAL_PATHS: ReadonlySet<string> = new Set(Object.values(PATHS));

/** Whether a record is one of the seal records (as opposed to barrier-encrypted data). */
export function isSealRecord(record: StorageRecord): boolean {
  return SEAL_PATHS.has(record.key);
}
