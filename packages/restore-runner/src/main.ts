import { hostname } from 'node:os';
import { runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { outputPaths, spec } from './config';
import { loadSourceKeys } from './keys-file';
import { runRestore } from './restore';
import { runnerMetrics } from './run-metrics';

const POLL_MS = 500;
const metrics = runnerMetrics(process.env.RESTORE_DRILL === 'true');

runMain({
  name: 'restore-runner',
  summary: 'restore a snapshot into a fresh Vault (sidecar of the Vault pod): init, unseal, snapshot-force, unseal with the source keys, verify',
  spec,
  env: process.env,
  run: async (config, { log, signal, idleUntilSignal }) => {
    const client = vaultClientFromConfig(config, log);
    metrics.reportAt(outputPaths(config).report);
    const clientFor = (addr: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: addr }, log);
    await runRestore({ config, loadKeys: () => loadSourceKeys(config), client, clientFor, hostname: config.HOSTNAME ?? hostname(), log, signal, pollMs: POLL_MS, idle: idleUntilSignal });
  },
  atEnd: metrics.atEnd,
});
