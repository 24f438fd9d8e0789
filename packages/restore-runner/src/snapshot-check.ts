import { access } from 'node:fs/promises';
import { readSnapshotRecord, recordPathFor, SnapshotError, type SnapshotInfo, type SnapshotRecord, verifySnapshotFile } from '@vault-raft-backup/common';

/** A snapshot file that passed every check, with what the report needs. */
export interface CheckedSnapshot {
  info: SnapshotInfo;
  /** The sidecar, when there is one. */
  record: SnapshotRecord | undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Verifies the whole archive (gzip, tar, SHA256SUMS, sealed entry) and, when the sidecar
 * exists, that sha256 and size are the ones restore-fetcher recorded: nothing corrupt reaches Vault.
 * @throws SnapshotError SNAPSHOT_INVALID / SNAPSHOT_INCOMPLETE / FILE_IO; AppError FILE_IO for a malformed sidecar.
 */
export async function checkSnapshotFile(file: string, signal: AbortSignal): Promise<CheckedSnapshot> {
  if (!(await exists(file))) throw new SnapshotError('FILE_IO', `snapshot file ${file} does not exist: did restore-fetcher run and write it to the shared volume?`);
  const record = (await exists(recordPathFor(file))) ? await readSnapshotRecord(file) : undefined;
  const info = await verifySnapshotFile(file, { signal });
  if (record && (record.sha256 !== info.sha256 || record.bytes !== info.bytes)) {
    throw new SnapshotError('SNAPSHOT_INVALID', `snapshot file ${file} is not the one in its sidecar (sha256 ${info.sha256}, ${info.bytes} bytes; sidecar says ${record.sha256}, ${record.bytes} bytes): fetch it again`);
  }
  return { info, record };
}
