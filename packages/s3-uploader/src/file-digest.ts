import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A pass-through stream that hashes (sha256) and counts the bytes of the snapshot file on their way to
 * the store. The archive itself was verified by the step that wrote the file and its sidecar; what this
 * proves is that the bytes uploaded are still the ones that step verified (see README, "Integrity").
 */
export class FileDigest extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    callback(null, chunk);
  }

  /** sha256 (hex) and size of every byte that went through; call once, after the last byte. */
  digest(): { sha256: string; bytes: number } {
    return { sha256: this.hash.digest('hex'), bytes: this.count };
  }
}
