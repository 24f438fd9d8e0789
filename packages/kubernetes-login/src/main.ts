import { createRunMetrics, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { loginWithServiceAccount } from './login';

const metrics = createRunMetrics('backup', 'kubernetes-login');

runMain({
  name: 'kubernetes-login',
  summary: 'log in to Vault with the pod\'s ServiceAccount token (Kubernetes or JWT auth) and write the token to a file',
  spec,
  env: process.env,
  run: async (config, { log, signal }) => {
    const client = vaultClientFromConfig(config, log);
    await loginWithServiceAccount(client, { mount: config.VAULT_AUTH_MOUNT, role: config.VAULT_AUTH_ROLE, jwtFile: config.VAULT_JWT_FILE, tokenFile: config.VAULT_TOKEN_FILE, signal }, log);
  },
  atEnd: metrics.finish,
});
