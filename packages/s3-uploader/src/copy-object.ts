import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { toS3Error } from '@vault-raft-backup/common';
import { type ObjectSettings, objectSettingsParams } from './upload-stream';

/** Above this size a single CopyObject is not allowed by S3. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

export interface CopyParams extends ObjectSettings {
  client: S3Client;
  bucket: string;
  sourceKey: string;
  destKey: string;
  /** Size of the source object. */
  bytes: number;
  /** Metadata of the source (a multipart copy does not carry it over by itself). */
  metadata: Record<string, string>;
  /** Objects larger than this are copied part by part (default 5 GiB; lower only to test). */
  multipartThreshold?: number;
  /** Part size of a multipart copy (default 512 MiB). */
  copyPartSize?: number;
  signal?: AbortSignal | undefined;
}

/** `bucket/key` with each key segment URL-encoded, as CopySource expects. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Server-side copy of `sourceKey` to `destKey` in the same bucket, keeping metadata, SSE and
 * storage class; no byte passes through this process. Multipart copy above the threshold.
 * @throws S3Error
 */
export async function copyObject(p: CopyParams): Promise<{ multipart: boolean }> {
  if (p.bytes > (p.multipartThreshold ?? MAX_SINGLE_COPY_BYTES)) {
    await multipartCopy(p);
    return { multipart: true };
  }
  try {
    await p.client.send(
      new CopyObjectCommand({ Bucket: p.bucket, Key: p.destKey, CopySource: copySource(p.bucket, p.sourceKey), MetadataDirective: 'COPY', ...objectSettingsParams(p) }),
      { abortSignal: p.signal },
    );
  } catch (err) {
    throw toS3Error(err, `CopyObject from ${p.sourceKey}`, p.bucket, p.destKey);
  }
  return { multipart: false };
}

function ranges(bytes: number, partSize: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let start = 0; start < bytes; start += partSize) out.push({ start, end: Math.min(bytes, start + partSize) - 1 });
  return out;
}

async function copyParts(p: CopyParams, uploadId: string): Promise<{ PartNumber: number; ETag: string }[]> {
  const parts = ranges(p.bytes, p.copyPartSize ?? 512 * 1024 ** 2);
  const done: { PartNumber: number; ETag: string }[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < parts.length) {
      const index = next++;
      const range = parts[index] as { start: number; end: number };
      const out = await p.client.send(
        new UploadPartCopyCommand({
          Bucket: p.bucket,
          Key: p.destKey,
          UploadId: uploadId,
          PartNumber: index + 1,
          CopySource: copySource(p.bucket, p.sourceKey),
          CopySourceRange: `bytes=${range.start}-${range.end}`,
        }),
        { abortSignal: p.signal },
      );
      done.push({ PartNumber: index + 1, ETag: out.CopyPartResult?.ETag ?? '' });
    }
  };
  // allSettled, so no part copy is still running when the caller aborts the upload
  const results = await Promise.allSettled(
    [1, 2, 3, 4].map(() =>
      worker().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return done.sort((a, b) => a.PartNumber - b.PartNumber);
}

async function multipartCopy(p: CopyParams): Promise<void> {
  let uploadId: string | undefined;
  try {
    const created = await p.client.send(
      new CreateMultipartUploadCommand({ Bucket: p.bucket, Key: p.destKey, Metadata: p.metadata, ContentType: 'application/octet-stream', ...objectSettingsParams(p) }),
      { abortSignal: p.signal },
    );
    uploadId = created.UploadId;
    if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    const parts = await copyParts(p, uploadId);
    await p.client.send(
      new CompleteMultipartUploadCommand({ Bucket: p.bucket, Key: p.destKey, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: p.signal },
    );
  } catch (err) {
    if (uploadId) await p.client.send(new AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.destKey, UploadId: uploadId })).catch(() => undefined);
    throw toS3Error(err, `multipart copy from ${p.sourceKey}`, p.bucket, p.destKey);
  }
}
