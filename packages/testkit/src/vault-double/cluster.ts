import { randomBytes } from 'node:crypto';
import { createBarrier } from './barrier';
import { kmsKey } from './crypto';
import { type Product, productOf } from './flavor';
import { emptyModel } from './model';
import type { NodeState } from './node';
import { unsealInternal } from './seal-access';
import type { SnapshotSource } from './snapshot-writer';
import { Storage } from './storage';
import type { InitResult, LoggedRequest, VaultDoubleFaults, VaultDoubleOptions } from './types';

/** Counters exposed through `state()`. */
export interface ClusterStats {
  restoresAccepted: number;
  restoresApplied: number;
  failedLogins: number;
  snapshotsServed: number;
}

/** The cluster: its nodes (processes), the raft storage they share, faults, counters and the request log. */
export class Cluster {
  readonly faults: VaultDoubleFaults = {};
  readonly requests: LoggedRequest[] = [];
  readonly stats: ClusterStats = { restoresAccepted: 0, restoresApplied: 0, failedLogins: 0, snapshotsServed: 0 };
  readonly lockouts = new Map<string, { count: number; lastFailure: number }>();
  readonly nodes: NodeState[] = [];
  readonly product: Product;
  readonly kmsKeyId: string;
  readonly storage: Storage;
  raftIndex = 1;
  term = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /** @throws Error for a seal type the flavor does not have. */
  constructor(readonly options: VaultDoubleOptions) {
    this.product = productOf(options);
    this.kmsKeyId = options.kmsKeyId ?? 'kms-key-1';
    this.storage = new Storage(options.fillerBytes ?? 0);
  }

  get shamir(): boolean {
    return this.product.sealType === 'shamir';
  }

  /** The KMS key this cluster's nodes reach (auto-unseal). */
  kmsKey(): Buffer {
    return kmsKey(this.kmsKeyId);
  }

  /** Runs `fn` later unless the double is closed first (after close, nothing is scheduled any more). */
  schedule(fn: () => void, ms: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves after `ms`; never, when the double is closed first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => (ms <= 0 ? resolve() : this.schedule(resolve, ms)));
  }

  /** Cancels scheduled work (restores not yet applied, join attempts, waits) for good: the double is closing. */
  cancelScheduled(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Counts a storage write. */
  write(): void {
    this.raftIndex += 1;
  }

  /** The active node is node 0 when it is an unsealed member; undefined otherwise (no active instance). */
  activeNode(): NodeState | undefined {
    const active = this.nodes[0];
    return active?.member && !active.sealed ? active : undefined;
  }

  /**
   * `sys/init` on a node (internal/vault/init.go `Initialize`): bootstraps raft on it, writes the barrier, caches the
   * seal configs on that node (`SetBarrierConfig`), and auto-unseal nodes then unseal with the stored keys
   * (internal/http/sys_init.go `UnsealWithStoredKeys`); Shamir nodes stay sealed.
   */
  initialize(node: NodeState, shares: number, threshold: number): InitResult {
    const barrier = createBarrier(this.product.sealType, this.kmsKeyId, shares, threshold);
    // internal/vault/cluster.go `setupCluster`: the configured name, else `vault-cluster-<8 hex>`, kept in this node's memory.
    const name = this.options.clusterName ?? `vault-cluster-${randomBytes(4).toString('hex')}`;
    const { model, rootToken } = emptyModel(name);
    this.storage.init(barrier, model);
    this.write();
    Object.assign(node, { member: true, sealed: true, progress: [], nonce: '', sealKey: barrier.sealKey, clusterName: name });
    node.barrierCache = { ...barrier.barrierConfig };
    node.recoveryCache = barrier.recoveryConfig && { ...barrier.recoveryConfig };
    if (!this.shamir) unsealInternal(this, node, barrier.keys.rootKey);
    const hex = barrier.shares.map((s) => s.toString('hex'));
    const b64 = barrier.shares.map((s) => s.toString('base64'));
    if (this.shamir) return { keys: hex, keys_base64: b64, root_token: rootToken };
    return { keys: [], keys_base64: [], ...(hex.length > 0 ? { recovery_keys: hex, recovery_keys_base64: b64 } : {}), root_token: rootToken };
  }

  /** Everything a snapshot taken on `node` needs. @throws Error when storage is not open. */
  snapshotSource(node: NodeState): SnapshotSource {
    const sealKey = this.shamir ? node.sealKey : this.kmsKey();
    if (!sealKey) throw new Error('Vault is sealed');
    return {
      index: this.raftIndex,
      term: this.term,
      servers: this.nodes.filter((n) => n.member).map((n) => ({ id: n.id, address: n.clusterAddress })),
      records: this.storage.records(),
      fillerBytes: this.storage.fillerBytes,
      sealKey,
    };
  }
}
