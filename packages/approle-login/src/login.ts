import { type Logger, registerSecret, type VaultClient, VaultError, withoutUserinfo, writeFileAtomic } from '@vault-raft-backup/common';

interface LoginResponse {
  auth?: { client_token?: string; accessor?: string; lease_duration?: number; renewable?: boolean; token_policies?: string[] };
}

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
  const path = `auth/${params.mount}/login`;
  log.info('logging in with AppRole', { vaultAddr: withoutUserinfo(client.addr), mount: params.mount });
  let res: { body: LoginResponse };
  try {
    // A lost response only leaves a short-lived token behind, so login is retried like an idempotent call.
    res = await client.request<LoginResponse>('POST', path, { json: { role_id: params.roleId, secret_id: params.secretId }, idempotent: true, signal: params.signal });
  } catch (err) {
    if (err instanceof VaultError && err.status === 400) {
      const message = err.message.replace(/^Vault answered (\d+) \((.*)\): /, 'Vault login failed ($1 $2): ');
      // The message carries everything the 400 said; chaining the cause would only repeat it.
      throw new VaultError('VAULT_LOGIN_FAILED', message, { path, status: 400 });
    }
    throw err;
  }
  const auth = res.body?.auth;
  const token = auth?.client_token;
  if (!token) throw new VaultError('VAULT_LOGIN_FAILED', `Vault login answered without auth.client_token: POST /v1/${path}`, { path });
  registerSecret(token);
  try {
    await writeFileAtomic(params.tokenFile, token, 0o600);
  } catch (err) {
    // nobody can use a token that was never written: revoke it rather than leave it valid until its TTL ends
    await client.request('POST', 'auth/token/revoke-self', { token, signal: params.signal }).then(
      () => log.info('token revoked, as it could not be written'),
      (e: unknown) => log.warn('could not revoke the token that could not be written; it stays valid until its TTL ends', { error: (e as Error).message }),
    );
    throw err;
  }
  log.info('logged in, token written', { tokenFile: params.tokenFile, ttlSeconds: auth?.lease_duration, renewable: auth?.renewable, policies: auth?.token_policies });
}
