import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { snapshotKeyPattern, timeOfSnapshotKey } from '../contracts/keys';
import { toS3Error } from './errors';

/** A timestamped snapshot object found under a prefix. */
export interface SnapshotObject {
  key: string;
  bytes: number;
  /** When the snapshot was taken, from its key (ISO, UTC). */
  takenAt: string;
  lastModified: Date | undefined;
  etag: string | undefined;
}

/**
 * Every timestamped snapshot directly under `prefix`, newest first (following continuation
 * tokens). Other names, and keys in deeper folders, are ignored.
 * @throws S3Error
 */
export async function listSnapshotObjects(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<SnapshotObject[]> {
  const pattern = snapshotKeyPattern(prefix);
  const found: SnapshotObject[] = [];
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    } catch (err) {
      throw toS3Error(err, 'ListObjectsV2', bucket, prefix);
    }
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || !pattern.test(o.Key)) continue;
      const takenAt = timeOfSnapshotKey(prefix, o.Key);
      if (takenAt) found.push({ key: o.Key, bytes: o.Size ?? 0, takenAt, lastModified: o.LastModified, etag: o.ETag?.replace(/"/g, '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  // the timestamp format sorts lexically in time order
  return found.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}
