import { hostname } from 'node:os';
import { parseEnv, renderHelp, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { parseUnsealKeys } from './keys-file';
import { runRestore } from './restore';

const NAME = 'restore-runner';
const SUMMARY = 'restore a snapshot into a fresh Vault (sidecar of the Vault pod): init, unseal, snapshot-force, unseal with the source keys, verify';
const POLL_MS = 500;

runMain({
  name: NAME,
  help: () => renderHelp(NAME, SUMMARY, spec),
  env: process.env,
  run: async ({ log, signal, idleUntilSignal }) => {
    const config = parseEnv(spec, process.env);
    const sourceKeys = config.VAULT_UNSEAL_KEYS === undefined ? undefined : parseUnsealKeys(config.VAULT_UNSEAL_KEYS);
    const client = vaultClientFromConfig(config, log);
    const clientFor = (addr: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: addr }, log);
    await runRestore({ config, sourceKeys, client, clientFor, hostname: config.HOSTNAME ?? hostname(), log, signal, pollMs: POLL_MS, idle: idleUntilSignal });
  },
});
