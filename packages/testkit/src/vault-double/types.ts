/** Seal types the double understands: `shamir` needs unseal keys, the others unseal through a (simulated) KMS key. */
export type SealType = 'shamir' | 'awskms' | 'gcpckms' | 'azurekeyvault' | 'transit' | 'pkcs11';

/** Options of {@link startVaultDouble}. */
export interface VaultDoubleOptions {
  /** Number of nodes in the cluster (node 0 is active); default 1. */
  nodes?: number;
  /** Default `shamir`. */
  sealType?: SealType;
  /** Key id of the auto-unseal KMS key this cluster can reach; default `kms-key-1`. */
  kmsKeyId?: string;
  /** Default true: initialized, unsealed, root token and keys in `initResult`. */
  initialized?: boolean;
  /** Shamir shares when created initialized; default 5 (recovery shares for auto-unseal). */
  secretShares?: number;
  /** Shamir threshold when created initialized; default 3. */
  secretThreshold?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Extra high-entropy bytes in state.bin of every snapshot (generated while streaming). */
  fillerBytes?: number;
  /** Delay between the 204 of a restore and its background apply; default 200 ms. */
  restoreDelayMs?: number;
  /** AppRole auth mount path used by `createAppRole`; default `approle`. */
  approleMount?: string;
  /** Port of node 0 (node i listens on port + i); default 0 = any free port. */
  port?: number;
  /** Cluster name shown by seal-status. */
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
}

/** Keys and token returned by `PUT sys/init` (and by the double when created initialized). */
export interface InitResult {
  keys: string[];
  keys_base64: string[];
  recovery_keys: string[];
  recovery_keys_base64: string[];
  root_token: string;
}

/** One logged request: never a body or a header value. */
export interface LoggedRequest {
  node: number;
  method: string;
  path: string;
  status: number;
}

/** A copy of the cluster's observable state, for assertions. */
export interface VaultDoubleState {
  initialized: boolean;
  /** Per node. */
  sealed: boolean[];
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
}
