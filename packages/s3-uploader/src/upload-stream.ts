import type { Readable } from 'node:stream';
import type { S3Client, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import { AppError, toS3Error } from '@vault-raft-backup/common';
import { uploadInParts } from './multipart-upload';

/** Server-side encryption and storage class applied to every object written. */
export interface ObjectSettings {
  sse?: ServerSideEncryption | undefined;
  kmsKeyId?: string | undefined;
  /** A storage class name; stores accept names beyond the SDK's list (e.g. COLD), so any string. */
  storageClass?: string | undefined;
}

export interface UploadStreamParams extends ObjectSettings {
  client: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  metadata: Record<string, string>;
  /** Bytes per part; memory held is about partSize × queueSize. */
  partSize: number;
  queueSize: number;
  /** Runs after the last byte was read and before the upload may complete; throwing aborts it. */
  beforeEnd?: () => Promise<void>;
  signal?: AbortSignal | undefined;
  onProgress?: (uploadedBytes: number) => void;
}

export interface UploadStreamResult {
  bytes: number;
  /** ETag the store answered with (quotes removed), for the log: under SSE-KMS or on some stores it is not an MD5. */
  etag: string | undefined;
}

/** The SSE/storage-class request fields for an object write. */
export function objectSettingsParams(s: ObjectSettings): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string; StorageClass?: StorageClass } {
  return {
    ...(s.sse ? { ServerSideEncryption: s.sse } : {}),
    ...(s.sse === 'aws:kms' && s.kmsKeyId ? { SSEKMSKeyId: s.kmsKeyId } : {}),
    // the SDK's type lists AWS classes only; other stores define their own names
    ...(s.storageClass ? { StorageClass: s.storageClass as StorageClass } : {}),
  };
}

/**
 * Streams `body` to `bucket/key` (multipart above one part) with bounded memory, each part with its
 * Content-MD5. If the body errors or `beforeEnd` throws, the multipart upload is aborted: no object
 * and no orphan parts.
 * @throws S3Error on an S3 failure, the body's AppError when the source failed, AppError ABORTED on signal
 */
export async function uploadStream(p: UploadStreamParams): Promise<UploadStreamResult> {
  try {
    const { bytes, etag } = await uploadInParts({
      client: p.client,
      input: { Bucket: p.bucket, Key: p.key, Metadata: p.metadata, ContentType: 'application/octet-stream', ...objectSettingsParams(p) },
      body: p.body,
      partSize: p.partSize,
      queueSize: p.queueSize,
      signal: p.signal,
      onProgress: p.onProgress,
      beforeComplete: p.beforeEnd,
    });
    return { bytes, etag: etag?.replace(/"/g, '') };
  } catch (err) {
    p.body.destroy();
    if (p.signal?.aborted) throw new AppError('ABORTED', `upload to s3://${p.bucket}/${p.key} stopped by signal`, { cause: err });
    if (err instanceof AppError) throw err;
    // S3 errors carry the SDK's $metadata; anything else came from reading the snapshot
    if ((err as { $metadata?: unknown } | undefined)?.$metadata !== undefined) throw toS3Error(err, 'upload', p.bucket, p.key);
    throw new AppError('FILE_IO', `reading the snapshot for s3://${p.bucket}/${p.key} failed`, { cause: err });
  }
}
