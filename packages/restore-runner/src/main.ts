import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createRunMetrics, type RunEnd, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { loadSourceKeys } from './keys-file';
import { runRestore } from './restore';
import { outputPaths } from './config';
import { z } from 'zod';

const POLL_MS = 500;

const metrics = createRunMetrics('restore', 'restore-runner');
/** Where this run writes its report; known once the configuration is parsed. */
let reportFile: string | undefined;
/** The part of the runner's report the metrics use. */
const reportFacts = z.object({ finishedAt: z.string(), snapshot: z.object({ bytes: z.number(), index: z.number(), takenAt: z.string().optional() }) });

/**
 * Pushes the restore's metrics once its work is done (runMain calls this before the sidecar idles,
 * or at exit), the values from the report the runner wrote. A run that restored nothing (not the
 * restore pod, or already restored: no report finished since it started) pushes nothing.
 */
async function reportRestore(end: RunEnd): Promise<void> {
  if (end.exitCode === 0) {
    const report = reportFile === undefined ? undefined : reportFacts.safeParse(await readFile(reportFile, 'utf8').then(JSON.parse, () => undefined));
    if (!report?.success || !(Date.parse(report.data.finishedAt) >= end.startedAt)) return metrics.skip();
    const { bytes, index, takenAt } = report.data.snapshot;
    metrics.set('snapshot_bytes', bytes).set('snapshot_raft_index', index);
    if (takenAt !== undefined) metrics.set('snapshot_timestamp_seconds', Date.parse(takenAt) / 1000);
  }
  await metrics.finish(end);
}

runMain({
  name: 'restore-runner',
  summary: 'restore a snapshot into a fresh Vault (sidecar of the Vault pod): init, unseal, snapshot-force, unseal with the source keys, verify',
  spec,
  env: process.env,
  run: async (config, { log, signal, idleUntilSignal }) => {
    const client = vaultClientFromConfig(config, log);
    reportFile = outputPaths(config).report;
    const clientFor = (addr: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: addr }, log);
    await runRestore({ config, loadKeys: () => loadSourceKeys(config), client, clientFor, hostname: config.HOSTNAME ?? hostname(), log, signal, pollMs: POLL_MS, idle: idleUntilSignal });
  },
  atEnd: reportRestore,
});
