import type { S3Client } from '@aws-sdk/client-s3';
import { describeError, type Logger, listSnapshotObjects, type RunMetrics } from '@vault-raft-backup/common';

/** What a stored backup tells the metrics, and where to count the snapshots that remain. */
export interface StoredBackup {
  bytes: number;
  deleted: readonly string[];
  client: S3Client;
  bucket: string;
  prefix: string;
  signal: AbortSignal;
  /** Metrics are on (a push or a text file): only then is the prefix listed once more to count. */
  counting: boolean;
}

/**
 * Records snapshot_bytes, deleted_snapshots and retained_snapshots (one listing of the prefix).
 * A failed listing is a warning without retained_snapshots: the backup is stored all the same.
 */
export async function recordUploadMetrics(metrics: RunMetrics<'backup'>, stored: StoredBackup, log: Logger): Promise<void> {
  metrics.set('snapshot_bytes', stored.bytes).set('deleted_snapshots', stored.deleted.length);
  if (!stored.counting) return;
  try {
    metrics.set('retained_snapshots', (await listSnapshotObjects(stored.client, stored.bucket, stored.prefix, stored.signal)).length);
  } catch (err) {
    log.warn('could not count the snapshots under the prefix for the metrics; the backup is stored', { bucket: stored.bucket, prefix: stored.prefix, error: describeError(err) });
  }
}
