import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { SnapshotError } from '../errors';
import { checkSnapshot, type SnapshotInfo, type VerifyOptions } from './snapshot-checks';
import { SnapshotEntries } from './snapshot-entries';
import { incomplete, invalid } from './snapshot-error';
import { TarReader } from './tar-reader';

/** Compressed bytes the gunzip side may hold before the verifier waits for it: keeps memory flat. */
const GUNZIP_QUEUE = 1024 * 1024;
const GUNZIP_CHUNK = 256 * 1024;

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
    this.gunzip.on('drain', () => this.wake());
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
    // Let up to GUNZIP_QUEUE bytes queue so hashing here overlaps with inflating in the thread pool; beyond that
    // wait for 'drain' (write returned false then, so it will come).
    if (this.gunzip.write(chunk) || this.gunzip.writableLength <= GUNZIP_QUEUE) {
      callback();
      return;
    }
    this.waiting = () => callback(this.failure ?? (this.gunzipEnded && this.gunzip.writableLength > 0 ? this.trailing() : undefined));
  }

  override _flush(callback: TransformCallback): void {
    const early = this.failure ?? (this.bytes === 0 ? this.finish(incomplete('snapshot is empty (0 bytes received)')) : undefined);
    if (early !== undefined) {
      callback(early);
      return;
    }
    this.waiting = () => callback(this.finish(this.failure ?? this.complete()));
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
    if (this.waiting !== undefined) this.wake();
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
