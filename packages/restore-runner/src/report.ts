import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@vault-raft-backup/common';
import type { LevelReport } from './levels';
import type { CheckedSnapshot } from './snapshot-check';

/** The JSON report written next to the snapshot: what was restored, where and how long it took. No secrets. */
export interface RestoreReport {
  /** `failed` only for a drill below its required level (a restore that fails otherwise writes no report). */
  status: 'restored' | 'failed';
  snapshot: { file: string; sha256: string; bytes: number; index: number; term: number; takenAt?: string | undefined; source?: string | undefined };
  vault: { addr: string; sealType: string; version?: string | undefined; clusterName?: string | undefined };
  pod: { hostname: string; restorePod: string };
  /** `none`: a drill without the source keys leaves a Shamir node sealed. */
  unsealedBy: 'source-keys' | 'auto-unseal' | 'operator' | 'none';
  unsealedPeers: string[];
  sourceTokenVerified: boolean;
  /** What this restore proves, level by level. */
  levels: LevelReport;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  timingsMs: Record<string, number>;
}

/** Snapshot part of the report, from the verified archive and its sidecar. */
export function snapshotSummary(file: string, checked: CheckedSnapshot): RestoreReport['snapshot'] {
  return {
    file,
    sha256: checked.info.sha256,
    bytes: checked.info.bytes,
    index: checked.info.index,
    term: checked.info.term,
    takenAt: checked.record?.takenAt,
    source: checked.record?.source,
  };
}

/** Writes the report, then the marker (both atomically, mode 0644): the marker says the job is done. @throws AppError FILE_IO */
export async function writeOutputs(paths: { marker: string; report: string }, report: RestoreReport): Promise<void> {
  await writeFileAtomic(paths.report, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  const marker = { restoredAt: report.finishedAt, sha256: report.snapshot.sha256, report: paths.report };
  await writeFileAtomic(paths.marker, `${JSON.stringify(marker)}\n`, 0o644);
}

/** The sha256 recorded in an existing marker, `''` for a marker without one, undefined when there is no marker. */
export async function readMarker(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const sha = (parsed as { sha256?: unknown } | null)?.sha256;
    return typeof sha === 'string' ? sha : '';
  } catch {
    return '';
  }
}
