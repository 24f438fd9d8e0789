import { type BarrierKeys, barrierConfigFrom, isSealRecord, keyringKeyFrom, type NewBarrier, recoveryConfigFrom, type SealConfig } from './barrier';
import type { Model } from './model';
import { decodeModel, encodeModel, type StorageRecord } from './storage-codec';

/**
 * The raft storage every member shares: the seal records (plaintext configs, encrypted keys) and the
 * barrier-encrypted data. After a restore the data stays encrypted (`locked`) until a root key opens it.
 */
export class Storage {
  sealRecords: StorageRecord[] = [];
  model: Model | undefined;
  keys: BarrierKeys | undefined;
  fillerBytes: number;
  private locked: StorageRecord[] = [];

  constructor(fillerBytes: number) {
    this.fillerBytes = fillerBytes;
  }

  /** The barrier holds a seal config: `sys/init` ran (or a restore brought one). */
  get initialized(): boolean {
    return barrierConfigFrom(this.sealRecords) !== undefined;
  }

  barrierConfig(): SealConfig | undefined {
    return barrierConfigFrom(this.sealRecords);
  }

  recoveryConfig(): SealConfig | undefined {
    return recoveryConfigFrom(this.sealRecords);
  }

  /** Storage as `sys/init` leaves it. */
  init(barrier: NewBarrier, model: Model): void {
    Object.assign(this, { sealRecords: barrier.records, keys: barrier.keys, model, locked: [] });
  }

  /** Opens the data with a root key (internal/vault/barrier/aes_gcm.go `Unseal`); false when the keyring is not under it. */
  open(rootKey: Buffer): boolean {
    if (this.keys) return this.keys.rootKey.equals(rootKey);
    const keyringKey = keyringKeyFrom(this.sealRecords, rootKey);
    if (!keyringKey) return false;
    try {
      this.model = decodeModel(this.locked, keyringKey);
    } catch {
      return false;
    }
    Object.assign(this, { keys: { rootKey, keyringKey }, locked: [] });
    return true;
  }

  /**
   * Replaces everything with a snapshot's records (raft `Restore`). Returns whether the keyring still opens
   * under the previous root key (internal/vault/ha.go `performKeyUpgrades` succeeds), in which case it stays open.
   */
  replace(records: StorageRecord[], fillerBytes: number): boolean {
    const previous = this.keys?.rootKey;
    Object.assign(this, { sealRecords: records.filter(isSealRecord), locked: records.filter((r) => !isSealRecord(r)), model: undefined, keys: undefined, fillerBytes });
    return previous !== undefined && this.open(previous);
  }

  /** Every record of open storage, for a snapshot. @throws Error when the data is not open. */
  records(): StorageRecord[] {
    if (!this.model || !this.keys) throw new Error('Vault is sealed');
    return [...this.sealRecords, ...encodeModel(this.model, this.keys.keyringKey)];
  }
}
