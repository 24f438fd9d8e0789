import { type Logger, loginAndWriteToken, type VaultClient, withoutUserinfo } from '@vault-raft-backup/common';

export interface LoginParams {
  mount: string;
  roleId: string;
  secretId: string;
  tokenFile: string;
  signal: AbortSignal;
}

/**
 * Logs in with AppRole and writes the token to `tokenFile` (atomically, 0600). The token is never logged.
 * @throws VaultError VAULT_LOGIN_FAILED on a rejected role or secret ID; other VaultErrors from the client.
 */
export async function loginWithAppRole(client: VaultClient, params: LoginParams, log: Logger): Promise<void> {
  log.info('logging in with AppRole', { vaultAddr: withoutUserinfo(client.addr), mount: params.mount });
  const body = { role_id: params.roleId, secret_id: params.secretId };
  await loginAndWriteToken(client, { path: `auth/${params.mount}/login`, body, tokenFile: params.tokenFile, signal: params.signal }, log);
}
