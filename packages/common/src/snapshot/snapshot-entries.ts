import { createHash, type Hash } from 'node:crypto';
import { invalid, quoteName } from './snapshot-error';
import type { TarEntrySink } from './tar-reader';

/** The only entries a raft snapshot may hold. */
export const SNAPSHOT_FILES = ['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed'] as const;
/** Largest meta.json / SHA256SUMS / SHA256SUMS.sealed the raft library accepts. */
export const MAX_SMALL_FILE = 8192;

type SnapshotFile = (typeof SNAPSHOT_FILES)[number];

function isSnapshotFile(name: string): name is SnapshotFile {
  return (SNAPSHOT_FILES as readonly string[]).includes(name);
}

/** Collects the entries of a snapshot: hashes state.bin as it streams, keeps the small files (bounded). */
export class SnapshotEntries implements TarEntrySink {
  /** Entry names in archive order. */
  readonly names: string[] = [];
  /** meta.json and the SUMS files, each at most MAX_SMALL_FILE bytes. */
  readonly small = new Map<string, Buffer>();
  readonly stateHash: Hash = createHash('sha256');
  stateBytes = 0;
  private current: { name: SnapshotFile; buffer?: Buffer; fill: number } | undefined;

  onEntry(name: string, size: number): void {
    if (!isSnapshotFile(name)) throw invalid(`unexpected file ${quoteName(name)} in snapshot`);
    if (this.names.includes(name)) throw invalid(`duplicate file ${quoteName(name)} in snapshot`);
    if (name !== 'state.bin' && size > MAX_SMALL_FILE) {
      throw invalid(`${name} in snapshot is ${size} bytes, more than the ${MAX_SMALL_FILE} allowed`);
    }
    this.names.push(name);
    this.current = name === 'state.bin' ? { name, fill: 0 } : { name, buffer: Buffer.alloc(size), fill: 0 };
  }

  onData(chunk: Buffer): void {
    const current = this.current;
    if (current === undefined) throw new Error('snapshot entries: data outside an entry');
    if (current.buffer === undefined) {
      this.stateHash.update(chunk);
      this.stateBytes += chunk.length;
    } else {
      chunk.copy(current.buffer, current.fill);
      current.fill += chunk.length;
    }
  }

  onEntryEnd(): void {
    const current = this.current;
    if (current?.buffer !== undefined) this.small.set(current.name, current.buffer);
    this.current = undefined;
  }
}
