import { createRunMetrics, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { loginWithAppRole } from './login';

const metrics = createRunMetrics('backup', 'approle-login');

runMain({
  name: 'approle-login',
  summary: 'log in to Vault with AppRole and write the token to a file',
  spec,
  env: process.env,
  run: async (config, { log, signal }) => {
    const client = vaultClientFromConfig(config, log);
    await loginWithAppRole(client, { mount: config.VAULT_APPROLE_MOUNT, roleId: config.VAULT_ROLE_ID, secretId: config.VAULT_SECRET_ID, tokenFile: config.VAULT_TOKEN_FILE, signal }, log);
  },
  atEnd: metrics.finish,
});
