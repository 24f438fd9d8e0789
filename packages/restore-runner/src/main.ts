import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createRunMetrics, type Logger, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { z } from 'zod';
import { outputPaths, spec } from './config';
import { parseUnsealKeys } from './keys-file';
import { runRestore } from './restore';

const POLL_MS = 500;
const startedAt = Date.now();
const metrics = createRunMetrics('restore', 'restore-runner');

/** The part of the runner's report file the metrics use. */
const reportFacts = z.object({ finishedAt: z.string(), snapshot: z.object({ bytes: z.number(), index: z.number(), takenAt: z.string().optional() }) });

/**
 * Pushes the restore's metrics once it is done (before a sidecar idles, or before the process exits),
 * from the report file the runner writes. A run that restored nothing (not the restore pod, or
 * already restored: no report finished since this process started) pushes nothing.
 */
async function reportRestore(file: string, log: Logger): Promise<void> {
  const report = reportFacts.safeParse(await readFile(file, 'utf8').then(JSON.parse, () => undefined));
  if (!report.success || !(Date.parse(report.data.finishedAt) >= startedAt)) return metrics.skip();
  const { bytes, index, takenAt } = report.data.snapshot;
  metrics.set('snapshot_bytes', bytes).set('snapshot_raft_index', index);
  if (takenAt !== undefined) metrics.set('snapshot_timestamp_seconds', Date.parse(takenAt) / 1000);
  await metrics.finish({ exitCode: 0, startedAt, endedAt: Date.now(), env: process.env, log });
}

runMain({
  name: 'restore-runner',
  summary: 'restore a snapshot into a fresh Vault (sidecar of the Vault pod): init, unseal, snapshot-force, unseal with the source keys, verify',
  spec,
  env: process.env,
  run: async (config, { log, signal, idleUntilSignal }) => {
    const sourceKeys = config.VAULT_UNSEAL_KEYS === undefined ? undefined : parseUnsealKeys(config.VAULT_UNSEAL_KEYS);
    const client = vaultClientFromConfig(config, log);
    const clientFor = (addr: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: addr }, log);
    const report = () => reportRestore(outputPaths(config).report, log);
    const idle = () => report().then(idleUntilSignal);
    await runRestore({ config, sourceKeys, client, clientFor, hostname: config.HOSTNAME ?? hostname(), log, signal, pollMs: POLL_MS, idle });
    await report();
  },
  atEnd: metrics.finish,
});
