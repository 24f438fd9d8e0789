import { ByteQueue } from './byte-queue';
import { decodeRecordBody, readUvarint, type StorageRecord } from './storage-codec';

/** Streams state.bin: keeps storage records, counts (and drops) filler records. */
export class StateReader {
  readonly records: StorageRecord[] = [];
  fillerBytes = 0;
  private queue = new ByteQueue();
  private need: number | undefined;

  write(chunk: Buffer): void {
    this.queue.push(chunk);
    for (;;) {
      if (this.need === undefined) {
        const len = readUvarint(this.queue.peek(10), 0);
        if (len === undefined) return;
        this.queue.take(len.next);
        this.need = len.value;
      }
      if (this.queue.length < this.need) return;
      const record = decodeRecordBody(this.queue.take(this.need));
      this.need = undefined;
      if (record.key.startsWith('filler/')) this.fillerBytes += record.value.length;
      else this.records.push(record);
    }
  }

  /** @throws Error when state.bin ended inside a record. */
  end(): void {
    if (this.need !== undefined || this.queue.length > 0) throw new Error('unexpected EOF');
  }
}
