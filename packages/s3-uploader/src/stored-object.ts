import { createHash } from 'node:crypto';
import { DeleteObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { getObjectStream, headObject, S3Error, s3Url, toS3Error } from '@vault-raft-backup/common';

/** What an object must hold: the snapshot's size and sha256 (also its `sha256` metadata). */
export interface ExpectedObject {
  bytes: number;
  sha256: string;
}

function differs(bucket: string, key: string, problems: string[]): S3Error {
  return new S3Error('S3_VERIFY_FAILED', `stored object ${s3Url(bucket, key)} differs from the snapshot: ${problems.join('; ')}`, { bucket, key });
}

function describedProblems(size: number | undefined, metadata: Record<string, string> | undefined, expected: ExpectedObject): string[] {
  const problems: string[] = [];
  if (size !== expected.bytes) problems.push(`size ${size} bytes, expected ${expected.bytes}`);
  const stored = metadata?.sha256;
  if (stored !== expected.sha256) problems.push(`sha256 metadata ${stored ?? '(missing)'}, expected ${expected.sha256}`);
  return problems;
}

/**
 * Reads the stored object back in one streamed pass and hashes it: its size, its `sha256` metadata
 * and the sha256 of the bytes the store serves must be the snapshot's. Nothing is buffered; a body
 * longer than the snapshot is cut off at the first extra byte.
 * @throws S3Error S3_VERIFY_FAILED naming the object and what differs; another S3Error when the GET fails
 */
export async function readBack(client: S3Client, bucket: string, key: string, expected: ExpectedObject, o: { signal?: AbortSignal | undefined; onProgress?: (bytes: number) => void } = {}): Promise<void> {
  const obj = await getObjectStream(client, bucket, key, o.signal);
  const described = describedProblems(obj.bytes, obj.metadata, expected);
  if (described.length > 0) {
    obj.body.destroy();
    throw differs(bucket, key, described);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of obj.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > expected.bytes) break;
      hash.update(chunk);
      o.onProgress?.(bytes);
    }
  } catch (err) {
    throw toS3Error(err, 'GetObject (read back)', bucket, key);
  } finally {
    obj.body.destroy();
  }
  if (bytes !== expected.bytes) throw differs(bucket, key, [`read back ${bytes > expected.bytes ? 'more than' : 'only'} ${Math.min(bytes, expected.bytes)} bytes, expected ${expected.bytes}`]);
  const sha256 = hash.digest('hex');
  if (sha256 !== expected.sha256) throw differs(bucket, key, [`the bytes read back have sha256 ${sha256}, expected ${expected.sha256}`]);
}

/**
 * Checks what HeadObject says about an object: size and `sha256` metadata (for `latest`, a
 * server-side copy of an object that was read back).
 * @throws S3Error S3_VERIFY_FAILED naming the object and what differs
 */
export async function verifyStoredObject(client: S3Client, bucket: string, key: string, expected: ExpectedObject, signal?: AbortSignal): Promise<HeadObjectCommandOutput> {
  const head = await headObject(client, bucket, key, signal);
  const problems = describedProblems(head.ContentLength, head.Metadata, expected);
  if (problems.length > 0) throw differs(bucket, key, problems);
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
