import { VaultError } from '../errors';
import type { Logger } from '../log';
import type { VaultClient } from '../vault/client';
import { type LoginResponse, writeLoginToken } from './token-file';

/** One login to an auth method, and where its token goes. */
export interface LoginParams {
  /** The login path after `/v1/`, e.g. `auth/approle/login`. */
  path: string;
  /** The JSON body: the method's credentials (registered as secrets by the caller). */
  body: Record<string, string>;
  tokenFile: string;
  signal: AbortSignal;
  /**
   * Turns a failed login call into the error to report, e.g. with what to fix on which side;
   * undefined keeps the default: a 400 becomes VAULT_LOGIN_FAILED with Vault's own message,
   * anything else stays as the client reported it.
   */
  explain?: (err: VaultError) => VaultError | undefined;
}

/**
 * `Vault login failed (<status> <Vault's errors>): POST /v1/<path>`, plus `hint` when given:
 * a failure Vault explained, so the message carries everything and no cause is chained.
 */
export function loginFailed(err: VaultError, path: string, hint?: string): VaultError {
  const message = err.message.replace(/^Vault answered (\d+) \((.*)\): /s, 'Vault login failed ($1 $2): ');
  return new VaultError('VAULT_LOGIN_FAILED', hint ? `${message}; ${hint}` : message, { path, status: err.status, errors: err.errors });
}

/**
 * Logs in (`POST /v1/<path>`) and hands the token over through the token file (see
 * {@link writeLoginToken}). A lost response only leaves a short-lived token behind, so the
 * login is retried like an idempotent call.
 * @throws VaultError VAULT_LOGIN_FAILED when Vault refuses the credentials; other VaultErrors from the client; AppError FILE_IO.
 */
export async function loginAndWriteToken(client: VaultClient, params: LoginParams, log: Logger): Promise<void> {
  let res: { body: LoginResponse | undefined };
  try {
    res = await client.request<LoginResponse | undefined>('POST', params.path, { json: params.body, idempotent: true, signal: params.signal });
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    const explained = params.explain?.(err);
    if (explained) throw explained;
    if (err.status === 400) throw loginFailed(err, params.path);
    throw err;
  }
  await writeLoginToken(client, res.body, { path: params.path, tokenFile: params.tokenFile, signal: params.signal }, log);
}
