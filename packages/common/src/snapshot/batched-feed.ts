import type { Writable } from 'node:stream';

/**
 * Feeds a zlib stream in batches: network chunks (16-64 KiB) are copied into a few reused buffers of
 * `batchBytes`, and each full buffer is one write. zlib inflates each write in the thread pool, and a
 * thread-pool round trip per 64 KiB chunk cost more CPU than the inflating itself; one copy per byte
 * costs far less. Chunks at least a batch long (file reads) go through without a copy.
 */
export class BatchedFeed {
  private readonly free: Buffer[] = [];
  private current: Buffer | undefined;
  private fill = 0;
  private pending = 0;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly target: Writable,
    private readonly batchBytes: number,
    /** Batches written and not yet consumed by the target before `add` asks the caller to wait. */
    private readonly depth: number,
  ) {}

  /** Adds bytes; `ready` runs (maybe at once) when the caller may add more. */
  add(chunk: Buffer, ready: () => void): void {
    if (this.fill === 0 && chunk.length >= this.batchBytes) {
      this.write(chunk, undefined);
    } else {
      let offset = 0;
      while (offset < chunk.length) {
        this.current ??= this.free.pop() ?? Buffer.allocUnsafe(this.batchBytes);
        const n = chunk.copy(this.current, this.fill, offset);
        this.fill += n;
        offset += n;
        if (this.fill === this.batchBytes) this.writeCurrent();
      }
    }
    this.whenRoom(ready);
  }

  /** Writes what is buffered, however little. */
  flush(): void {
    if (this.fill > 0) this.writeCurrent();
  }

  /** Forgets a waiting caller (the target failed and will not consume more). */
  cancel(): (() => void) | undefined {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }

  private writeCurrent(): void {
    const buffer = this.current;
    if (buffer === undefined) return;
    this.write(buffer.subarray(0, this.fill), buffer);
    this.current = undefined;
    this.fill = 0;
  }

  private write(bytes: Buffer, reusable: Buffer | undefined): void {
    this.pending++;
    this.target.write(bytes, () => {
      this.pending--;
      // only a buffer the target is done with goes back to the pool
      if (reusable !== undefined && this.free.length < this.depth) this.free.push(reusable);
      this.whenRoom(this.cancel());
    });
  }

  private whenRoom(ready: (() => void) | undefined): void {
    if (ready === undefined) return;
    if (this.pending < this.depth) ready();
    else this.waiting = ready;
  }
}
