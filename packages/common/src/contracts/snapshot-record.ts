import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors';
import { writeFileAtomic } from '../files/atomic-file';

/**
 * What the source Vault said about itself in `GET sys/seal-status` (no token needed) when the
 * snapshot was taken. `shares`/`threshold` are seal-status's `n`/`t`: the unseal key shares for
 * Shamir, the recovery key shares for auto-unseal seals. A restore needs them: the temporary init
 * of the target must use the source's threshold (see restore-runner), and the seal family must match.
 */
export const sourceVaultSchema = z.object({
  sealType: z.string().min(1),
  recoverySeal: z.boolean().optional(),
  shares: z.number().int().nonnegative(),
  threshold: z.number().int().nonnegative(),
  version: z.string().optional(),
  clusterId: z.string().optional(),
  clusterName: z.string().optional(),
  storageType: z.string().optional(),
});
export type SourceVault = z.infer<typeof sourceVaultSchema>;

/** The `<SNAPSHOT_FILE>.json` sidecar that travels with a snapshot between steps. */
export const snapshotRecordSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  term: z.number().int().nonnegative(),
  takenAt: z.string(),
  /** Vault node that served the snapshot (after redirects), or the S3 location it was fetched from. */
  source: z.string(),
  /** The source Vault's seal facts; absent for snapshots taken before they were recorded. */
  vault: sourceVaultSchema.optional(),
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
