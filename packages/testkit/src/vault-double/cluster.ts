import { barrierRecords, type BarrierKeys, createBarrier, kekFromShare, openBarrier, type SealConfig, sealConfigFrom } from './barrier';
import { decodeKey, kmsKey } from './crypto';
import { emptyModel, type Model } from './model';
import type { ReadSnapshot } from './snapshot-reader';
import type { SnapshotSource } from './snapshot-writer';
import { decodeModel, encodeModel, type StorageRecord } from './storage-codec';
import type { InitResult, LoggedRequest, SealType, VaultDoubleFaults, VaultDoubleOptions } from './types';

/** One node of the cluster: its own seal state and listener. */
export interface NodeState {
  index: number;
  id: string;
  sealed: boolean;
  progress: Buffer[];
  url: string;
  clusterAddress: string;
}

/** Counters exposed through `state()`. */
export interface ClusterStats {
  restoresAccepted: number;
  restoresApplied: number;
  failedLogins: number;
  snapshotsServed: number;
}

/** Cluster-wide state shared by every node: barrier, storage model, raft index, faults, request log. */
export class Cluster {
  readonly faults: VaultDoubleFaults = {};
  readonly requests: LoggedRequest[] = [];
  readonly stats: ClusterStats = { restoresAccepted: 0, restoresApplied: 0, failedLogins: 0, snapshotsServed: 0 };
  readonly lockouts = new Map<string, { count: number; lastFailure: number }>();
  readonly nodes: NodeState[] = [];
  readonly sealType: SealType;
  readonly kmsKeyId: string;
  initialized = false;
  sealConfig: SealConfig | undefined;
  keys: BarrierKeys | undefined;
  model: Model | undefined;
  raftIndex = 1;
  term = 1;
  fillerBytes: number;
  private locked: StorageRecord[] | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly options: VaultDoubleOptions) {
    this.sealType = options.sealType ?? 'shamir';
    this.kmsKeyId = options.kmsKeyId ?? 'kms-key-1';
    this.fillerBytes = options.fillerBytes ?? 0;
  }

  get shamir(): boolean {
    return (this.sealConfig?.type ?? this.sealType) === 'shamir';
  }

  /** Runs `fn` later unless the double is closed first. */
  schedule(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Cancels scheduled work (restores not yet applied). */
  cancelScheduled(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Counts a storage write. */
  write(): void {
    this.raftIndex += 1;
  }

  /** `sys/init`: new barrier, new storage, root token; Shamir nodes stay sealed, auto-unseal nodes open. */
  initialize(shares: number, threshold: number): InitResult {
    const barrier = createBarrier(this.sealType, this.kmsKeyId, shares, threshold);
    const { model, rootToken } = emptyModel(this.options.clusterName ?? 'vault-cluster-double');
    Object.assign(this, { initialized: true, sealConfig: barrier.config, keys: barrier.keys, model, locked: undefined });
    this.write();
    for (const node of this.nodes) Object.assign(node, { sealed: this.shamir, progress: [] });
    const hex = barrier.shares.map((s) => s.toString('hex'));
    const b64 = barrier.shares.map((s) => s.toString('base64'));
    return this.shamir
      ? { keys: hex, keys_base64: b64, recovery_keys: [], recovery_keys_base64: [], root_token: rootToken }
      : { keys: [], keys_base64: [], recovery_keys: hex, recovery_keys_base64: b64, root_token: rootToken };
  }

  /** One `sys/unseal` key; returns an error message for a 400, or undefined. */
  unseal(node: NodeState, keyText: string): string | undefined {
    if (!this.initialized || !this.sealConfig) return 'Vault is not initialized';
    if (!node.sealed) return undefined;
    if (!this.shamir) return 'Vault is using an auto-unseal seal: it unseals itself when it can reach its KMS key';
    const key = decodeKey(keyText);
    if (!key) return "'key' must be a valid hex or base64 string";
    if (node.progress.some((k) => k.equals(key))) return undefined;
    node.progress.push(key);
    if (node.progress.length < this.sealConfig.secretThreshold) return undefined;
    const keks = node.progress.map((k) => (this.sealConfig ? kekFromShare(this.sealConfig, k) : undefined));
    node.progress = [];
    const kek = keks[0];
    if (!kek || keks.some((k) => !k?.equals(kek)) || !this.open(kek)) return 'Unseal failed, invalid key';
    node.sealed = false;
    return undefined;
  }

  /** Opens storage with a kek (decoding restored records on first use); false when it is the wrong kek. */
  private open(kek: Buffer): boolean {
    if (this.model && this.keys) return this.keys.kek.equals(kek);
    if (!this.locked) return false;
    try {
      const keys = openBarrier(this.locked, kek);
      this.model = decodeModel(this.locked, keys.keyringKey);
      this.keys = keys;
      this.locked = undefined;
      return true;
    } catch {
      return false;
    }
  }

  /** Seals one node (or all). */
  seal(node?: NodeState): void {
    for (const n of node ? [node] : this.nodes) Object.assign(n, { sealed: true, progress: [] });
  }

  /** The active node is node 0; undefined when it is sealed (no active instance). */
  activeNode(): NodeState | undefined {
    const active = this.nodes[0];
    return active && !active.sealed ? active : undefined;
  }

  /** Everything a snapshot of the current storage needs. @throws Error when storage is not open. */
  snapshotSource(): SnapshotSource {
    if (!this.model || !this.keys || !this.sealConfig) throw new Error('Vault is sealed');
    return {
      index: this.raftIndex,
      term: this.term,
      servers: this.nodes.map((n) => ({ id: n.id, address: n.clusterAddress })),
      records: [...barrierRecords(this.sealConfig, this.keys), ...encodeModel(this.model, this.keys.keyringKey)],
      fillerBytes: this.fillerBytes,
      sealKey: this.keys.kek,
    };
  }

  /** Replaces storage wholesale with a verified snapshot, then opens it if a reachable key can (else all nodes seal). */
  applyRestore(snap: ReadSnapshot): void {
    const config = sealConfigFrom(snap.records);
    const candidates = [this.keys?.kek, this.sealType === 'shamir' ? undefined : kmsKey(this.kmsKeyId)];
    Object.assign(this, { locked: snap.records, model: undefined, keys: undefined, sealConfig: config, initialized: true });
    this.fillerBytes = snap.fillerBytes;
    this.raftIndex = Math.max(this.raftIndex, snap.meta.Index ?? 0) + 1;
    this.stats.restoresApplied += 1;
    const opened = config !== undefined && candidates.some((kek) => kek !== undefined && this.open(kek));
    for (const node of this.nodes) Object.assign(node, { sealed: !opened, progress: [] });
  }
}
