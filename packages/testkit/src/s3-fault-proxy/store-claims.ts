import { createHash } from 'node:crypto';

/**
 * The ETags the emulated store answers with, computed as S3 does on receipt: a part's or a simple
 * object's is the MD5 of the bytes received, a multipart object's is the MD5 of its parts' MD5s
 * followed by `-<parts>` (S3 user guide, "Checking object integrity"). s3rver 3.7.1 gives a
 * multipart object the MD5 of the whole body instead, which no client can predict from the parts.
 * When the store keeps other bytes than it received (a flip at rest), these ETags still name the
 * bytes received: the store lies.
 */
export class StoreClaims {
  /** uploadId -> partNumber -> MD5 (hex) of the part as received. */
  private readonly parts = new Map<string, Map<number, string>>();
  /** key -> the ETag (unquoted) the store answers for it, where it differs from the real store's. */
  private readonly claims = new Map<string, string>();

  /** A part arrived as `receivedMd5`; `kept` says the store keeps other bytes. Returns the ETag to answer, if it differs from the real store's. */
  part(uploadId: string, partNumber: number, receivedMd5: string, kept: boolean): string | undefined {
    const parts = this.parts.get(uploadId) ?? new Map<number, string>();
    this.parts.set(uploadId, parts);
    parts.set(partNumber, receivedMd5);
    return kept ? receivedMd5 : undefined;
  }

  /** A PutObject arrived; returns the ETag to answer when other bytes were kept. */
  object(key: string, receivedMd5: string, kept: boolean): string | undefined {
    if (kept) this.claims.set(key, receivedMd5);
    else this.claims.delete(key);
    return kept ? receivedMd5 : undefined;
  }

  /** The multipart upload completed: the ETag of the object, from the MD5s of the parts received. */
  completed(uploadId: string, key: string): string {
    const md5s = [...(this.parts.get(uploadId) ?? new Map<number, string>())].sort(([a], [b]) => a - b).map(([, md5]) => Buffer.from(md5, 'hex'));
    this.parts.delete(uploadId);
    const etag = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${md5s.length}`;
    this.claims.set(key, etag);
    return etag;
  }

  /** A server-side copy carries the source's ETag to the destination. */
  copied(sourceKey: string, destKey: string): string | undefined {
    const claim = this.claims.get(sourceKey);
    if (claim === undefined) this.claims.delete(destKey);
    else this.claims.set(destKey, claim);
    return claim;
  }

  deleted(key: string): void {
    this.claims.delete(key);
  }

  /** The ETag the store answers for a key, where it differs from the real store's. */
  of(key: string): string | undefined {
    return this.claims.get(key);
  }
}
