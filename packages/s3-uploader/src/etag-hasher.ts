import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Pass-through stream that computes, in the same pass, the MD5 of each `partSize` slice, i.e. the
 * ETags S3 gives a multipart upload of exactly these bytes and, for a body of one part, a simple upload.
 * `beforeEnd` runs before the stream ends: when it throws, the stream errors instead of ending
 * (an upload reading from it then aborts rather than completing).
 */
export class EtagHasher extends Transform {
  private readonly partSize: number;
  private readonly beforeEnd: (() => Promise<void>) | undefined;
  private part: Hash = createHash('md5');
  private partFill = 0;
  private readonly partDigests: Buffer[] = [];
  /** Bytes that passed through. */
  bytes = 0;

  constructor(partSize: number, beforeEnd?: () => Promise<void>) {
    super({ highWaterMark: 1024 * 1024 });
    this.partSize = partSize;
    this.beforeEnd = beforeEnd;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.partFill, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.partFill += take;
      offset += take;
      if (this.partFill === this.partSize) this.closePart();
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.partFill > 0 || this.partDigests.length === 0) this.closePart();
    if (!this.beforeEnd) {
      callback();
      return;
    }
    this.beforeEnd().then(
      () => callback(),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private closePart(): void {
    this.partDigests.push(this.part.digest());
    this.part = createHash('md5');
    this.partFill = 0;
  }

  /**
   * ETags (without quotes) this body gets as a single PutObject and as a multipart upload; valid after the stream ended.
   * `simple` is '' (not comparable) for a body of several parts: it is only ever sent as a multipart upload, and
   * hashing the whole body a second time just for it cost a third of the uploader's CPU.
   */
  expectedEtags(): { simple: string; multipart: string } {
    const simple = this.partDigests.length === 1 ? (this.partDigests[0]?.toString('hex') ?? '') : '';
    const combined = createHash('md5').update(Buffer.concat(this.partDigests)).digest('hex');
    return { simple, multipart: `${combined}-${this.partDigests.length}` };
  }
}

/**
 * Whether a stored ETag matches the computed ones. ETags that are not MD5-style (SSE-KMS,
 * SSE-C, some stores) cannot be compared: the result is then `undefined`.
 */
export function etagMatches(stored: string | undefined, expected: { simple: string; multipart: string }): boolean | undefined {
  const etag = stored?.replace(/"/g, '').toLowerCase();
  if (!etag) return undefined;
  if (/^[0-9a-f]{32}$/.test(etag)) return expected.simple === '' ? undefined : etag === expected.simple;
  if (/^[0-9a-f]{32}-\d+$/.test(etag)) return etag === expected.multipart;
  return undefined;
}
