import type { SnapshotRecord, SourceVault } from './snapshot-record';

/**
 * The user metadata (`x-amz-meta-*`) stored with every snapshot object: the sidecar's facts, so an
 * object carries what a restore needs without its sidecar. Values are ASCII (S3 sends them as HTTP
 * headers); the cluster name, which Vault's config may set freely, is percent-encoded.
 */
const KEYS = {
  sha256: 'sha256',
  takenAt: 'taken-at',
  index: 'raft-index',
  term: 'raft-term',
  sealType: 'seal-type',
  recoverySeal: 'recovery-seal',
  shares: 'seal-shares',
  threshold: 'seal-threshold',
  version: 'vault-version',
  clusterId: 'cluster-id',
  clusterName: 'cluster-name',
  storageType: 'storage-type',
} as const;

/** What an object's metadata says about its snapshot; every field may be missing on objects written by older versions. */
export interface ObjectFacts {
  sha256?: string | undefined;
  takenAt?: string | undefined;
  index?: number | undefined;
  term?: number | undefined;
  vault?: SourceVault | undefined;
}

function vaultMetadata(v: SourceVault): Record<string, string> {
  const out: Record<string, string> = { [KEYS.sealType]: v.sealType, [KEYS.shares]: String(v.shares), [KEYS.threshold]: String(v.threshold) };
  if (v.recoverySeal !== undefined) out[KEYS.recoverySeal] = String(v.recoverySeal);
  if (v.version) out[KEYS.version] = v.version;
  if (v.clusterId) out[KEYS.clusterId] = v.clusterId;
  if (v.clusterName) out[KEYS.clusterName] = encodeURIComponent(v.clusterName);
  if (v.storageType) out[KEYS.storageType] = v.storageType;
  return out;
}

/** The metadata of a snapshot object written from its sidecar. */
export function objectMetadataOf(record: SnapshotRecord): Record<string, string> {
  return {
    [KEYS.sha256]: record.sha256,
    [KEYS.takenAt]: record.takenAt,
    [KEYS.index]: String(record.index),
    [KEYS.term]: String(record.term),
    ...(record.vault ? vaultMetadata(record.vault) : {}),
  };
}

function whole(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function decodeName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function vaultFacts(meta: Record<string, string>): SourceVault | undefined {
  const sealType = meta[KEYS.sealType];
  const shares = whole(meta[KEYS.shares]);
  const threshold = whole(meta[KEYS.threshold]);
  if (!sealType || shares === undefined || threshold === undefined) return undefined;
  const recovery = meta[KEYS.recoverySeal];
  return {
    sealType,
    ...(recovery === 'true' || recovery === 'false' ? { recoverySeal: recovery === 'true' } : {}),
    shares,
    threshold,
    ...(meta[KEYS.version] ? { version: meta[KEYS.version] } : {}),
    ...(meta[KEYS.clusterId] ? { clusterId: meta[KEYS.clusterId] } : {}),
    ...(meta[KEYS.clusterName] ? { clusterName: decodeName(meta[KEYS.clusterName]) } : {}),
    ...(meta[KEYS.storageType] ? { storageType: meta[KEYS.storageType] } : {}),
  };
}

/** Reads the facts back from an object's metadata (keys as the SDK returns them, lower case); missing or malformed fields are left out. */
export function objectFactsOf(metadata: Record<string, string> | undefined): ObjectFacts {
  const meta = metadata ?? {};
  const sha = meta[KEYS.sha256]?.toLowerCase();
  return {
    sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : undefined,
    takenAt: meta[KEYS.takenAt] && !Number.isNaN(Date.parse(meta[KEYS.takenAt] ?? '')) ? meta[KEYS.takenAt] : undefined,
    index: whole(meta[KEYS.index]),
    term: whole(meta[KEYS.term]),
    vault: vaultFacts(meta),
  };
}
