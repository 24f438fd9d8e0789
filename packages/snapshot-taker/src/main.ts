import { createRunMetrics, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { revokeToken, takeSnapshot } from './take-snapshot';

const metrics = createRunMetrics('backup', 'snapshot-taker');

runMain({
  name: 'snapshot-taker',
  summary: 'stream the raft snapshot from Vault to a verified file',
  spec,
  env: process.env,
  run: async (config, { log, signal }) => {
    const client = vaultClientFromConfig(config, log, config.VAULT_TOKEN);
    try {
      const clientAt = (origin: string) => vaultClientFromConfig({ ...config, VAULT_ADDR: origin }, log);
      const record = await takeSnapshot(client, { file: config.SNAPSHOT_FILE, stallMs: config.SNAPSHOT_STALL_TIMEOUT, firstByteMs: config.SNAPSHOT_FIRST_BYTE_TIMEOUT, callMs: config.VAULT_TIMEOUT, signal, clientAt }, log);
      metrics.set('snapshot_bytes', record.bytes).set('snapshot_raft_index', record.index);
    } finally {
      if (config.VAULT_REVOKE_TOKEN) await revokeToken(client, log);
    }
  },
  atEnd: metrics.finish,
});
