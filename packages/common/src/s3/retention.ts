import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3Error } from '../errors';
import type { Logger } from '../log';
import { toS3Error } from './errors';
import { listSnapshotObjects } from './list';

export interface RetentionParams {
  client: S3Client;
  bucket: string;
  prefix: string;
  /** How many of the newest timestamped snapshots to keep (at least 1). */
  keep: number;
  /** Keys never deleted, whatever their age (the snapshot just uploaded). */
  protect: readonly string[];
  log?: Logger | undefined;
  signal?: AbortSignal | undefined;
}

const BATCH = 1000;

/**
 * Deletes timestamped snapshots under the prefix beyond the newest `keep`; foreign names,
 * deeper folders and protected keys are never touched. Returns the deleted keys.
 * @throws S3Error
 */
export async function applyRetention(p: RetentionParams): Promise<string[]> {
  if (p.keep < 1) return [];
  const snapshots = await listSnapshotObjects(p.client, p.bucket, p.prefix, p.signal);
  const doomed = snapshots.slice(p.keep).map((s) => s.key).filter((k) => !p.protect.includes(k));
  for (let i = 0; i < doomed.length; i += BATCH) {
    const batch = doomed.slice(i, i + BATCH);
    let errors: { Key?: string; Code?: string }[] = [];
    try {
      const out = await p.client.send(new DeleteObjectsCommand({ Bucket: p.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }), {
        abortSignal: p.signal,
      });
      errors = out.Errors ?? [];
    } catch (err) {
      throw toS3Error(err, 'DeleteObjects (retention)', p.bucket, p.prefix);
    }
    if (errors.length > 0) {
      const list = errors.map((e) => `${e.Key} (${e.Code})`).join(', ');
      throw new S3Error('S3_FAILED', `retention could not delete ${errors.length} object(s) in s3://${p.bucket}: ${list}`, { bucket: p.bucket, key: p.prefix });
    }
    p.log?.info('retention deleted old snapshots', { bucket: p.bucket, deleted: batch });
  }
  return doomed;
}
