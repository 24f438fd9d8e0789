import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors';
import { writeFileAtomic } from './atomic-file';

/** The `<SNAPSHOT_FILE>.json` sidecar that travels with a snapshot between steps. */
export const snapshotRecordSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  term: z.number().int().nonnegative(),
  takenAt: z.string(),
  /** Vault node that served the snapshot (after redirects), or the S3 location it was fetched from. */
  source: z.string(),
});
export type SnapshotRecord = z.infer<typeof snapshotRecordSchema>;

/** Path of the sidecar of a snapshot file. */
export function recordPathFor(snapshotPath: string): string {
  return `${snapshotPath}.json`;
}

/** Writes the sidecar atomically (mode 0644: it holds no secret). */
export async function writeSnapshotRecord(snapshotPath: string, record: SnapshotRecord): Promise<void> {
  await writeFileAtomic(recordPathFor(snapshotPath), `${JSON.stringify(record, null, 2)}\n`, 0o644);
}

/** Reads and validates the sidecar. @throws AppError FILE_IO when missing or malformed. */
export async function readSnapshotRecord(snapshotPath: string): Promise<SnapshotRecord> {
  const path = recordPathFor(snapshotPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AppError('FILE_IO', `cannot read ${path} (written by snapshot-taker next to the snapshot)`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AppError('FILE_IO', `${path} is not JSON`, { cause });
  }
  const result = snapshotRecordSchema.safeParse(parsed);
  if (!result.success) throw new AppError('FILE_IO', `${path} is malformed: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return result.data;
}
