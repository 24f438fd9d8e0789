import { hostname } from 'node:os';
import { runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { loadSourceKeys } from './keys-file';
import { runRestore } from './restore';

const POLL_MS = 500;

runMain({
  name: 'restore-runner',
  summary: 'restore a snapshot into a fresh Vault (sidecar of the Vault pod): init, unseal, snapshot-force, unseal with the source keys, verify',
  spec,
  env: process.env,
  run: async (config, { log, signal, idleUntilSignal }) => {
    const client = vaultClientFromConfig(config, log);
    const clientFor = (addr: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: addr }, log);
    await runRestore({ config, loadKeys: () => loadSourceKeys(config), client, clientFor, hostname: config.HOSTNAME ?? hostname(), log, signal, pollMs: POLL_MS, idle: idleUntilSignal });
  },
});
