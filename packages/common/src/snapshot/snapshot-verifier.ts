import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { SnapshotError } from '../errors';
import { BatchedFeed } from './batched-feed';
import { checkSnapshot, type SnapshotInfo, type VerifyOptions } from './snapshot-checks';
import { SnapshotEntries } from './snapshot-entries';
import { incomplete, invalid } from './snapshot-error';
import { TarReader } from './tar-reader';

/**
 * Compressed bytes per write to gunzip: one thread-pool round trip each. 512 KiB cut snapshot-taker's CPU
 * by a fifth against one write per 64 KiB network chunk; 1 MiB saved little more and held 10 MiB more.
 */
const GUNZIP_BATCH = 512 * 1024;
/** Batches the gunzip side may hold before the verifier waits for it: keeps memory flat. */
const GUNZIP_DEPTH = 2;
/** Inflated bytes per output buffer: more than a batch of stored (incompressible) data, so a batch is one round trip. */
const GUNZIP_CHUNK = GUNZIP_BATCH + 64 * 1024;
const GUNZIP_QUEUE = GUNZIP_BATCH * GUNZIP_DEPTH;

/**
 * A pass-through stream that verifies a gzip'd raft snapshot in one pass: bytes flow through unchanged while it
 * hashes them, gunzips, reads the tar and checks SHA256SUMS and meta.json. It errors (so `pipeline` rejects) with
 * a SnapshotError SNAPSHOT_INVALID or SNAPSHOT_INCOMPLETE, and finishes only after every check passed.
 */
export class SnapshotVerifier extends Transform {
  /** Resolves after the stream finished and everything checked; rejects with the stream's error. */
  readonly result: Promise<SnapshotInfo>;
  private readonly opts: VerifyOptions;
  private readonly hash = createHash('sha256');
  private readonly gunzip: Gunzip;
  private readonly feed: BatchedFeed;
  private readonly entries = new SnapshotEntries();
  private readonly tar = new TarReader(this.entries);
  private bytes = 0;
  private readonly magic = Buffer.alloc(2);
  private gunzipEnded = false;
  private failure: SnapshotError | undefined;
  private waiting: (() => void) | undefined;
  private resolve: (info: SnapshotInfo) => void = () => {};
  private reject: (err: Error) => void = () => {};

  constructor(opts: VerifyOptions = {}) {
    super({ highWaterMark: GUNZIP_QUEUE });
    this.opts = opts;
    this.result = new Promise<SnapshotInfo>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers that only use pipeline never await result; the rejection is still delivered to those who do.
    this.result.catch(() => {});
    this.gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    this.gunzip.on('data', (chunk: Buffer) => this.onTarData(chunk));
    this.gunzip.on('error', (err) => this.fail(this.gzipError(err)));
    this.gunzip.on('end', () => {
      this.gunzipEnded = true;
      this.wake();
    });
    this.feed = new BatchedFeed(this.gunzip, GUNZIP_BATCH, GUNZIP_DEPTH);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const early = this.failure ?? (this.gunzipEnded ? this.trailing() : undefined);
    if (early !== undefined) {
      callback(early);
      return;
    }
    this.hash.update(chunk);
    if (this.bytes < 2) chunk.copy(this.magic, this.bytes, 0, 2 - this.bytes);
    this.bytes += chunk.length;
    this.push(chunk);
    // hashing here overlaps with inflating in the thread pool; beyond GUNZIP_DEPTH batches, wait for gunzip
    this.feed.add(chunk, () => {
      this.waiting = undefined;
      callback(this.failure);
    });
  }

  override _flush(callback: TransformCallback): void {
    const early = this.failure ?? (this.bytes === 0 ? this.finish(incomplete('snapshot is empty (0 bytes received)')) : undefined);
    if (early !== undefined) {
      callback(early);
      return;
    }
    this.waiting = () => callback(this.finish(this.failure ?? this.complete()));
    this.feed.flush();
    this.gunzip.end();
    if (this.gunzipEnded) this.wake();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.gunzip.destroy();
    this.reject(err ?? incomplete('snapshot verification stopped before the end of the archive'));
    callback(err);
  }

  /** Runs the end-of-archive checks; returns the error to report, if any. */
  private complete(): SnapshotError | undefined {
    try {
      if (this.gunzip.bytesWritten < this.bytes) return this.trailing();
      this.tar.end();
      const info = checkSnapshot(this.entries, this.opts, { sha256: this.hash.digest('hex'), bytes: this.bytes });
      this.resolve(info);
      return undefined;
    } catch (err) {
      return this.asSnapshotError(err);
    }
  }

  private finish(err: SnapshotError | undefined): SnapshotError | undefined {
    if (err !== undefined) this.reject(err);
    return err;
  }

  private onTarData(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      this.tar.write(chunk);
    } catch (err) {
      this.fail(this.asSnapshotError(err));
    }
  }

  private fail(err: SnapshotError): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.reject(err);
    this.gunzip.destroy();
    // a write waiting for room in the feed, or the flush waiting for the end, reports the failure
    const feedWaiting = this.feed.cancel();
    if (feedWaiting !== undefined) feedWaiting();
    else if (this.waiting !== undefined) this.wake();
    else this.destroy(err);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private trailing(): SnapshotError {
    return invalid(`trailing data after the end of the gzip stream (${this.bytes} bytes received)`);
  }

  private gzipError(err: Error & { code?: string }): SnapshotError {
    if (err.code === 'Z_BUF_ERROR') return incomplete(`unexpected end of snapshot (truncated?) after ${this.bytes} bytes`, err);
    if (this.magic[0] !== 0x1f || this.magic[1] !== 0x8b) return invalid('snapshot is not gzip data (no gzip header at offset 0)', err);
    // The first header passed, so a header error can only come from what follows the first gzip member.
    if (err.message === 'incorrect header check') return this.trailing();
    return invalid(`snapshot is not valid gzip data: ${err.message}`, err);
  }

  private asSnapshotError(err: unknown): SnapshotError {
    if (err instanceof SnapshotError) return err;
    return invalid('snapshot verification failed', err);
  }
}
