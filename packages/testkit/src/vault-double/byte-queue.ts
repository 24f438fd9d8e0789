/** Bytes arriving in chunks, taken out in exact lengths without re-concatenating everything. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns exactly n bytes; the caller checks `length` first. */
  take(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.chunks[0];
      if (!head) break;
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    this.length -= n - need;
    return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
  }

  /** The first up-to-n bytes, without removing them. */
  peek(n: number): Buffer {
    const parts: Buffer[] = [];
    let got = 0;
    for (const chunk of this.chunks) {
      if (got >= n) break;
      parts.push(chunk.subarray(0, n - got));
      got += Math.min(chunk.length, n - got);
    }
    return Buffer.concat(parts);
  }
}
