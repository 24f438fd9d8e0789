import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { S3Error } from '@vault-raft-backup/common';
import { resendOnBadDigest } from './resend-damaged';
import { unsignedPayloadOverTls } from './unsigned-payload';

export interface PartUploadParams {
  client: S3Client;
  /** Bucket, Key, Metadata, ContentType, SSE and storage class of the object. */
  input: CreateMultipartUploadCommandInput & { Bucket: string; Key: string };
  body: Readable;
  partSize: number;
  queueSize: number;
  signal?: AbortSignal | undefined;
  onProgress?: (uploadedBytes: number) => void;
  /** Runs after the last byte was read and before the upload completes; throwing aborts it. */
  beforeComplete?: () => Promise<void>;
}

/** The `Content-MD5` of a part: the store checks the bytes it receives against it and refuses damaged ones (400 BadDigest). */
const contentMd5 = (body: Buffer) => createHash('md5').update(body).digest('base64');

/**
 * Uploads a stream with at most `queueSize` parts in flight, reusing `queueSize + 1` part buffers
 * allocated once, so memory stays flat (no garbage per part). One PutObject when the body fits in
 * one part. Every part carries its Content-MD5, and a part the store refuses as damaged is sent
 * again. On any failure the multipart upload is aborted after in-flight parts settled.
 * @returns the bytes read and the ETag the store answered with (not evidence of anything: see README)
 */
export async function uploadInParts(p: PartUploadParams): Promise<{ bytes: number; etag: string | undefined }> {
  const free: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  const parts: { PartNumber: number; ETag: string }[] = [];
  let uploadId: string | undefined;
  let uploaded = 0;
  let current: Buffer | undefined;
  let fill = 0;
  let held: Buffer | undefined; // a full first part, kept until we know whether more data follows
  let nextPart = 1;
  let read = 0;
  let failure: unknown;
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  const opts = { abortSignal: p.signal };

  const take = async (): Promise<Buffer> => {
    while (inFlight.size >= p.queueSize) await Promise.race(inFlight);
    check();
    return free.pop() ?? Buffer.allocUnsafe(p.partSize);
  };
  const send = (buf: Buffer, length: number) => {
    const PartNumber = nextPart++;
    const task = (async () => {
      const Body = buf.subarray(0, length);
      const part = new UploadPartCommand({ Bucket: p.input.Bucket, Key: p.input.Key, UploadId: uploadId, PartNumber, Body, ContentMD5: contentMd5(Body) });
      resendOnBadDigest(part);
      unsignedPayloadOverTls(part);
      const out = await p.client.send(part, opts);
      parts.push({ PartNumber, ETag: out.ETag ?? '' });
      uploaded += length;
      p.onProgress?.(uploaded);
      free.push(buf);
    })();
    // never rejects: a failed part is recorded and rethrown by the reading loop (no unhandled rejection)
    const tracked: Promise<void> = task.then(
      () => undefined,
      (err: unknown) => {
        failure ??= err;
      },
    );
    void tracked.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const startMultipart = async (first: Buffer) => {
    const created = await p.client.send(new CreateMultipartUploadCommand(p.input), opts);
    uploadId = created.UploadId;
    if (!uploadId) throw new S3Error('S3_FAILED', `CreateMultipartUpload of s3://${p.input.Bucket}/${p.input.Key} returned no UploadId`, { bucket: p.input.Bucket, key: p.input.Key });
    send(first, p.partSize);
  };

  try {
    for await (const chunk of p.body as AsyncIterable<Buffer>) {
      check();
      read += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        if (held) {
          await startMultipart(held);
          held = undefined;
        }
        current ??= await take();
        const n = Math.min(p.partSize - fill, chunk.length - offset);
        chunk.copy(current, fill, offset, offset + n);
        fill += n;
        offset += n;
        if (fill === p.partSize) {
          if (uploadId) send(current, fill);
          else held = current;
          current = undefined;
          fill = 0;
        }
      }
    }
    await p.beforeComplete?.();
    if (!uploadId) {
      const body = held ?? (current ?? Buffer.alloc(0)).subarray(0, fill);
      const put = new PutObjectCommand({ ...p.input, Body: body, ContentLength: body.length, ContentMD5: contentMd5(body) });
      resendOnBadDigest(put);
      unsignedPayloadOverTls(put);
      const out = await p.client.send(put, opts);
      p.onProgress?.(body.length);
      return { bytes: read, etag: out.ETag };
    }
    if (fill > 0 && current) send(current, fill);
    await Promise.all(inFlight);
    check();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await p.client.send(new CompleteMultipartUploadCommand({ Bucket: p.input.Bucket, Key: p.input.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), opts);
    return { bytes: read, etag: done.ETag };
  } catch (err) {
    await Promise.allSettled(inFlight);
    if (uploadId) await p.client.send(new AbortMultipartUploadCommand({ Bucket: p.input.Bucket, Key: p.input.Key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}
