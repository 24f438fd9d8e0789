import { VaultError } from '../errors';
import { writeFileAtomic } from '../files/atomic-file';
import { type Logger, registerSecret } from '../log';
import type { VaultClient } from '../vault/client';

/** The part of a login response (`POST auth/<mount>/login`) the next step needs. */
export interface LoginResponse {
  auth?: { client_token?: string; accessor?: string; lease_duration?: number; renewable?: boolean; token_policies?: string[] } | null;
}

/** Where the token goes, and the login call it came from (for messages). */
export interface TokenHandOver {
  /** The login path after `/v1/`, e.g. `auth/kubernetes/login`. */
  path: string;
  /** The token file snapshot-taker reads (`VAULT_TOKEN_FILE`). */
  tokenFile: string;
  signal: AbortSignal;
}

/**
 * Takes the token out of a login response, registers it as a secret, and writes it to the token
 * file atomically with mode 0600. A token that could not be written is revoked at once (nobody can
 * use it, and it would stay valid until its TTL ends). The token is never logged.
 * @throws VaultError VAULT_LOGIN_FAILED when the response holds no token; AppError FILE_IO when it cannot be written.
 */
export async function writeLoginToken(client: VaultClient, body: LoginResponse | undefined, handOver: TokenHandOver, log: Logger): Promise<void> {
  const auth = body?.auth ?? undefined;
  const token = auth?.client_token;
  if (!token) throw new VaultError('VAULT_LOGIN_FAILED', `Vault login answered without auth.client_token: POST /v1/${handOver.path}`, { path: handOver.path });
  registerSecret(token);
  try {
    await writeFileAtomic(handOver.tokenFile, token, 0o600);
  } catch (err) {
    await client.request('POST', 'auth/token/revoke-self', { token, signal: handOver.signal }).then(
      () => log.info('token revoked, as it could not be written'),
      (e: unknown) => log.warn('could not revoke the token that could not be written; it stays valid until its TTL ends', { error: (e as Error).message }),
    );
    throw err;
  }
  log.info('logged in, token written', { tokenFile: handOver.tokenFile, ttlSeconds: auth?.lease_duration, renewable: auth?.renewable, policies: auth?.token_policies });
}
