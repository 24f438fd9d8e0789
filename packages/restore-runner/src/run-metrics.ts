import { readFile } from 'node:fs/promises';
import { createRunMetrics, type RunEnd } from '@vault-raft-backup/common';
import { z } from 'zod';

/** The parts of the report (report.ts) the metrics use; a drill that failed before its snapshot applied has only levels. */
const reportFacts = z.object({
  finishedAt: z.string(),
  snapshot: z.object({ bytes: z.number(), index: z.number(), takenAt: z.string().optional() }).optional(),
  levels: z.object({ reached: z.number(), required: z.number() }).optional(),
});
type ReportFacts = z.infer<typeof reportFacts>;

async function reportOfThisRun(file: string | undefined, startedAt: number): Promise<ReportFacts | undefined> {
  if (file === undefined) return undefined;
  const parsed = reportFacts.safeParse(await readFile(file, 'utf8').then(JSON.parse, () => undefined));
  return parsed.success && Date.parse(parsed.data.finishedAt) >= startedAt ? parsed.data : undefined;
}

/** The runner's metrics, pushed from the report it wrote: `reportAt` names the file, `atEnd` goes to runMain. */
export interface RunnerMetrics {
  reportAt(file: string): void;
  atEnd(end: RunEnd): Promise<void>;
}

/**
 * A restore pushes vault_raft_backup_restore_*; a drill (RESTORE_DRILL) its own family, vault_raft_backup_drill_*,
 * with the level it reached: it proves a backup and restores nothing anyone uses. runMain calls `atEnd` once the
 * work is done (before the sidecar idles, or at exit). A run that restored nothing and did not fail (not the
 * restore pod, or already restored: no report of this run) pushes nothing.
 */
export function runnerMetrics(drill: boolean): RunnerMetrics {
  const restore = createRunMetrics('restore', 'restore-runner');
  const drillRun = createRunMetrics('drill', 'restore-runner');
  let file: string | undefined;
  return {
    reportAt(path) {
      file = path;
    },
    async atEnd(end) {
      const report = await reportOfThisRun(file, end.startedAt);
      const metrics = drill ? drillRun : restore;
      if (report === undefined && end.exitCode === 0) return metrics.skip();
      const takenAt = report?.snapshot?.takenAt === undefined ? undefined : Date.parse(report.snapshot.takenAt) / 1000;
      if (drill) {
        if (report?.levels) drillRun.set('level', report.levels.reached).set('level_required', report.levels.required);
        if (takenAt !== undefined) drillRun.set('snapshot_timestamp_seconds', takenAt);
      } else if (report?.snapshot) {
        restore.set('snapshot_bytes', report.snapshot.bytes).set('snapshot_raft_index', report.snapshot.index);
        if (takenAt !== undefined) restore.set('snapshot_timestamp_seconds', takenAt);
      }
      await metrics.finish(end);
    },
  };
}
