import { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { S3Error } from '../errors';
import { toS3Error } from './errors';

/** An object being downloaded: its body stream and what the store says about it. */
export interface ObjectStream {
  body: Readable;
  bytes: number;
  metadata: Record<string, string>;
  lastModified: Date | undefined;
  etag: string | undefined;
}

/**
 * Starts a GetObject and returns the body as a Node stream (not read yet). An answer without
 * Content-Length is refused: S3 always sends one, and a body of unknown length could go on without
 * end (Node stops reading a body at its Content-Length).
 * @throws S3Error S3_NOT_FOUND naming bucket and key when the object or bucket is missing, S3_FAILED without Content-Length
 */
export async function getObjectStream(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectStream> {
  let out: GetObjectCommandOutput;
  try {
    out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (err) {
    throw toS3Error(err, 'GetObject', bucket, key);
  }
  if (!(out.Body instanceof Readable)) throw new S3Error('S3_FAILED', `GetObject of s3://${bucket}/${key} returned no stream body`, { bucket, key });
  if (out.ContentLength === undefined) {
    out.Body.destroy();
    throw new S3Error('S3_FAILED', `GetObject of s3://${bucket}/${key} answered without a Content-Length: refusing a body of unknown length`, { bucket, key });
  }
  return { body: out.Body, bytes: out.ContentLength, metadata: out.Metadata ?? {}, lastModified: out.LastModified, etag: out.ETag?.replace(/"/g, '') };
}
