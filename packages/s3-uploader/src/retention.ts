import { createHash } from 'node:crypto';
import { DeleteObjectsCommand, type DeleteObjectsCommandInput, type DeleteObjectsCommandOutput, type S3Client } from '@aws-sdk/client-s3';
// types only: the SDK's own middleware types (a dependency of @aws-sdk/client-s3)
import type { FinalizeHandler, FinalizeHandlerArguments } from '@smithy/types';
import { checkObjectKey, type Logger, listSnapshotObjects, S3Error, toS3Error } from '@vault-raft-backup/common';

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
 * DeleteObjects must carry a checksum, and the SDK sends a flexible one (CRC32) even with
 * WHEN_REQUIRED, which stores that predate flexible checksums refuse: send Content-MD5,
 * which S3 and every S3-compatible store accept, instead.
 */
function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<DeleteObjectsCommandInput, DeleteObjectsCommandOutput>) => async (args: FinalizeHandlerArguments<DeleteObjectsCommandInput>) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        for (const name of Object.keys(request.headers)) if (/^x-amz-(checksum-|sdk-checksum-algorithm$)/i.test(name)) delete request.headers[name];
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { name: 'contentMd5InsteadOfFlexibleChecksum', relation: 'before', toMiddleware: 'httpSigningMiddleware' },
  );
  return command;
}

/**
 * Deletes timestamped snapshots under the prefix beyond the newest `keep`; foreign names,
 * deeper folders and protected keys are never touched. Returns the deleted keys.
 * @throws S3Error
 */
export async function applyRetention(p: RetentionParams): Promise<string[]> {
  if (p.keep < 1) return [];
  // config refuses such a prefix; a caller that skipped it must not delete where a normalising store resolves `..`
  const unsafe = checkObjectKey(p.prefix, 'prefix');
  if (unsafe) throw new S3Error('S3_FAILED', `retention refused: the prefix ${unsafe}`, { bucket: p.bucket, key: p.prefix });
  const snapshots = await listSnapshotObjects(p.client, p.bucket, p.prefix, p.signal);
  const doomed = snapshots.slice(p.keep).map((s) => s.key).filter((k) => !p.protect.includes(k));
  for (let i = 0; i < doomed.length; i += BATCH) {
    const batch = doomed.slice(i, i + BATCH);
    let errors: { Key?: string; Code?: string }[] = [];
    try {
      const out = await p.client.send(withContentMd5(new DeleteObjectsCommand({ Bucket: p.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })), {
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
