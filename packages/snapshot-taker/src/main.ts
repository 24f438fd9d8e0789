import { parseEnv, renderHelp, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { revokeToken, takeSnapshot } from './take-snapshot';

const NAME = 'snapshot-taker';
const SUMMARY = 'stream the raft snapshot from Vault to a verified file';

runMain({
  name: NAME,
  help: () => renderHelp(NAME, SUMMARY, spec),
  env: process.env,
  run: async ({ log, signal }) => {
    const config = parseEnv(spec, process.env);
    const client = vaultClientFromConfig(config, log, config.VAULT_TOKEN);
    try {
      await takeSnapshot(client, { file: config.SNAPSHOT_FILE, stallMs: config.SNAPSHOT_STALL_TIMEOUT, firstByteMs: config.VAULT_TIMEOUT, signal }, log);
    } finally {
      if (config.VAULT_REVOKE_TOKEN) await revokeToken(client, log);
    }
  },
});
