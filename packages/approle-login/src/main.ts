import { parseEnv, renderHelp, runMain, vaultClientFromConfig } from '@vault-raft-backup/common';
import { spec } from './config';
import { loginWithAppRole } from './login';

const NAME = 'approle-login';
const SUMMARY = 'log in to Vault with AppRole and write the token to a file';

runMain({
  name: NAME,
  help: () => renderHelp(NAME, SUMMARY, spec),
  env: process.env,
  run: async ({ log, signal }) => {
    const config = parseEnv(spec, process.env);
    const client = vaultClientFromConfig(config, log);
    await loginWithAppRole(client, { mount: config.VAULT_APPROLE_MOUNT, roleId: config.VAULT_ROLE_ID, secretId: config.VAULT_SECRET_ID, tokenFile: config.VAULT_TOKEN_FILE, signal }, log);
  },
});
