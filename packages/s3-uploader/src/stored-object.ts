import { DeleteObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { headObject, S3Error, s3Url, toS3Error } from '@vault-raft-backup/common';
import { etagMatches } from './etag-hasher';

export interface ExpectedObject {
  bytes: number;
  sha256: string;
  /** ETags computed while uploading; compared when the stored ETag is MD5-style. */
  etags?: { simple: string; multipart: string } | undefined;
}

/**
 * Checks what the store kept: size and sha256 metadata, and the ETag when it is MD5-style.
 * @throws S3Error S3_VERIFY_FAILED naming the object and what differs
 */
export async function verifyStoredObject(client: S3Client, bucket: string, key: string, expected: ExpectedObject, signal?: AbortSignal): Promise<HeadObjectCommandOutput> {
  const head = await headObject(client, bucket, key, signal);
  const problems: string[] = [];
  if (head.ContentLength !== expected.bytes) problems.push(`size ${head.ContentLength} bytes, expected ${expected.bytes}`);
  const stored = head.Metadata?.sha256;
  if (stored !== expected.sha256) problems.push(`sha256 metadata ${stored ?? '(missing)'}, expected ${expected.sha256}`);
  if (expected.etags && etagMatches(head.ETag, expected.etags) === false) problems.push(`ETag ${head.ETag} does not match the uploaded bytes`);
  if (problems.length > 0) {
    throw new S3Error('S3_VERIFY_FAILED', `stored object ${s3Url(bucket, key)} differs from the snapshot: ${problems.join('; ')}`, { bucket, key });
  }
  return head;
}

/** DeleteObject, mapped to S3Error. @throws S3Error */
export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    throw toS3Error(err, 'DeleteObject', bucket, key);
  }
}
