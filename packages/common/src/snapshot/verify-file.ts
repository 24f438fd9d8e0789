import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { SnapshotError } from '../errors';
import type { SnapshotInfo, VerifyOptions } from './snapshot-checks';
import { streamVerified } from './stream-verified';

const READ_CHUNK = 1024 * 1024;

/**
 * Verifies a snapshot archive on disk in one pass.
 * @throws SnapshotError SNAPSHOT_INVALID / SNAPSHOT_INCOMPLETE for a bad archive, AppError FILE_IO when it cannot be read.
 */
export async function verifySnapshotFile(path: string, opts: VerifyOptions & { signal?: AbortSignal } = {}): Promise<SnapshotInfo> {
  const { signal, ...verify } = opts;
  const discard = new Writable({ highWaterMark: READ_CHUNK, write: (_chunk, _enc, cb) => cb() });
  try {
    return await streamVerified(createReadStream(path, { highWaterMark: READ_CHUNK }), discard, { signal, verify });
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'ABORT_ERR') throw new SnapshotError('ABORTED', `snapshot verification of ${path} aborted`, { cause: err });
    throw new SnapshotError('FILE_IO', `cannot read snapshot file ${path}`, { cause: err });
  }
}
