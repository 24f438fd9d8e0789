/**
 * Seal types: `shamir` needs unseal keys, the others unseal through a (simulated) KMS key. `static`,
 * `ovhcloud`, `tcloudpublic` and `kmip` exist only with `flavor: 'openbao'`.
 */
export type SealType = 'shamir' | 'awskms' | 'gcpckms' | 'azurekeyvault' | 'transit' | 'pkcs11' | 'ocikms' | 'alicloudkms' | 'static' | 'ovhcloud' | 'tcloudpublic' | 'kmip';

/** Which server the double speaks as. */
export type Flavor = 'vault' | 'openbao';

/** Options of {@link startVaultDouble}. */
export interface VaultDoubleOptions {
  /** Number of nodes in the cluster (node 0 is active); default 1. */
  nodes?: number;
  /** Default `shamir`. */
  sealType?: SealType;
  /** Key id of the auto-unseal KMS key this cluster can reach; default `kms-key-1`. */
  kmsKeyId?: string;
  /**
   * Default true: initialized, unsealed, root token and keys in `initResult`. False: node 0 is fresh and, with
   * `nodes > 1`, the followers start in raft join mode (the Helm chart's HA raft with `retry_join`).
   */
  initialized?: boolean;
  /** Shamir shares when created initialized; default 5 (recovery shares for auto-unseal). */
  secretShares?: number;
  /** Shamir threshold when created initialized; default 3. */
  secretThreshold?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Extra high-entropy bytes in state.bin of every snapshot (generated while streaming). */
  fillerBytes?: number;
  /** Delay between the 204 of a restore and the start of its apply; default 200 ms. */
  restoreDelayMs?: number;
  /** How long the apply of a restore holds the active node's state lock; default 0 ms. */
  restoreApplyMs?: number;
  /** Interval of a follower's join attempts in raft join mode (Vault: 2 s); default 100 ms. */
  joinIntervalMs?: number;
  /** Time a successful join takes (answer, raft setup) and, again, until the keyring has replicated; default 50 ms. */
  joinDelayMs?: number;
  /** Time before the first byte of a snapshot GET (Vault walks the FSM to size the archive); default 0 ms. */
  snapshotFirstByteMs?: number;
  /** Version string reported by seal-status and health; default `1.17.6` (vault) or `2.4.1` (openbao). */
  version?: string;
  /** Default `vault`. */
  flavor?: Flavor;
  /** AppRole auth mount path used by `createAppRole`; default `approle`. */
  approleMount?: string;
  /** Port of node 0 (node i listens on port + i); default 0 = any free port. */
  port?: number;
  /** `cluster_name` from the server config: overrides the name stored in the cluster. */
  clusterName?: string;
}

/** A scripted failure for the next matching requests. */
export interface FailNext {
  /** Matched against the URL path (e.g. `/v1/auth/approle/login`): string = exact, RegExp = test. */
  path: RegExp | string;
  status: number;
  /** How many requests fail before the switch turns itself off. */
  times: number;
  /** JSON body; default `{"errors":[<a message fitting the status>]}`. */
  body?: unknown;
}

/** Fault switches, mutable at any time through `double.faults`. */
export interface VaultDoubleFaults {
  /** Destroy the socket after this many body bytes of a snapshot GET (status already 200). */
  cutSnapshotAfterBytes?: number;
  /** Stop writing after this many body bytes of a snapshot GET, keeping the socket open. */
  stallSnapshotAfterBytes?: number;
  /** Content-Type sent with a snapshot GET instead of `application/gzip`. */
  snapshotContentType?: string;
  failNext?: FailNext;
  /** Close every new connection as soon as it is accepted. */
  refuseConnections?: boolean;
  /** Restore upload fails after the body was read: `sealed` = 503 Vault is sealed, `500` = internal error. */
  restoreFails?: 'sealed' | '500';
  /**
   * The next N unseal calls that complete a joining follower's threshold answer 500 instead of joining; the
   * follower stays sealed, in join mode, with no progress (see FIDELITY.md). Counts down to 0.
   */
  joinErrors?: number;
}

/** Keys and token returned by `PUT sys/init` (and by the double when created initialized). */
export interface InitResult {
  keys: string[];
  keys_base64: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token: string;
}

/** One logged request: never a body or a header value. */
export interface LoggedRequest {
  node: number;
  method: string;
  path: string;
  status: number;
}

/** One node's observable state. */
export interface NodeView {
  index: number;
  sealed: boolean;
  /** What `initialized` in seal-status says on this node. */
  initialized: boolean;
  /** A raft member (bootstrapped by init or joined); false for a follower still in join mode. */
  joined: boolean;
  /** The seal config this node has cached in memory (threshold, shares), if any. */
  cachedThreshold: number | undefined;
  cachedShares: number | undefined;
  progress: number;
  /** Unseal calls holding this node's state lock while they wait for the raft join. */
  waitingUnseals: number;
  /** Join attempts made by this node's process (raft join mode). */
  joinAttempts: number;
  /** `write` while an unseal, init, seal or restore apply holds the state lock. */
  lock: 'write' | 'read' | undefined;
  /** Requests waiting for the state lock. */
  lockWaiters: number;
}

/** A copy of the cluster's observable state, for assertions. */
export interface VaultDoubleState {
  /** Storage holds a seal config. */
  initialized: boolean;
  /** Per node. */
  sealed: boolean[];
  nodes: NodeView[];
  sealType: string;
  raftIndex: number;
  term: number;
  restoresApplied: number;
  restoresAccepted: number;
  revokedTokens: number;
  liveTokens: number;
  failedLogins: number;
  snapshotsServed: number;
  policies: string[];
  authMounts: string[];
  clusterId: string | undefined;
  clusterName: string | undefined;
}
