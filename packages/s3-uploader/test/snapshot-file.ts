import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SourceVault } from '@vault-raft-backup/common';
import { randomStream, snapshotArchiveStream } from '@vault-raft-backup/testkit';

export interface SnapshotFile {
  file: string;
  sha256: string;
  bytes: number;
  takenAt: string;
}

/** Writes a valid snapshot archive (incompressible state of `stateSize` bytes) and its sidecar into `dir`. */
export async function writeSnapshot(dir: string, name: string, o: { stateSize: number; takenAt: string; index?: number; vault?: SourceVault }): Promise<SnapshotFile> {
  const file = join(dir, name);
  const hash = createHash('sha256');
  let bytes = 0;
  const archive = snapshotArchiveStream({ meta: { index: o.index ?? 42, term: 3 }, state: { size: o.stateSize, stream: () => randomStream(o.stateSize, name) } });
  archive.on('data', (c: Buffer) => {
    hash.update(c);
    bytes += c.length;
  });
  await pipeline(archive, createWriteStream(file));
  const sha256 = hash.digest('hex');
  await writeSidecar(file, { sha256, bytes, takenAt: o.takenAt, vault: o.vault });
  return { file, sha256, bytes, takenAt: o.takenAt };
}

/** Writes `SNAPSHOT_FILE.json` as snapshot-taker does; without `vault`, as it did before recording seal facts. */
export async function writeSidecar(file: string, r: { sha256: string; bytes: number; takenAt: string; vault?: SourceVault | undefined }): Promise<void> {
  const record = { sha256: r.sha256, bytes: r.bytes, index: 42, term: 3, takenAt: r.takenAt, source: 'https://vault-0.vault-internal:8200', ...(r.vault ? { vault: r.vault } : {}) };
  await writeFile(`${file}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

/** sha256 of a file, read whole (test files are small). */
export async function sha256OfFile(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
