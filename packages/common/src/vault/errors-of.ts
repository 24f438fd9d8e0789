import { type ErrorCode, VaultError } from '../errors';
import { retryAfterMs } from './retry';

/** Extracts Vault's `{"errors":[...]}` list from a body, tolerating anything else. */
export function vaultErrors(body: unknown): string[] {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors)) {
    return (body as { errors: unknown[] }).errors.map(String);
  }
  return [];
}

/** The error code for a Vault status. */
export function codeForStatus(status: number, errors: readonly string[]): ErrorCode {
  if (status === 403) return 'VAULT_PERMISSION_DENIED';
  if (status === 503 && errors.some((e) => /sealed/i.test(e))) return 'VAULT_SEALED';
  return 'VAULT_HTTP';
}

/** Vault's `errors` list from a response body text (JSON or not). */
export function errorsOfText(text: string): string[] {
  try {
    return vaultErrors(JSON.parse(text));
  } catch {
    return [];
  }
}

/**
 * The VaultError for an error status: `Vault answered 503 (Vault is sealed): GET /v1/sys/...`, with Vault's
 * `errors` list and Retry-After as data. Only the `errors` list of the body is used: never the rest of it.
 */
export function statusError(status: number, bodyText: string, call: string, path: string, retryAfter?: string | string[]): VaultError {
  const errors = errorsOfText(bodyText);
  const detail = errors.length ? errors.join('; ') : 'no error message';
  return new VaultError(codeForStatus(status, errors), `Vault answered ${status} (${detail}): ${call}`, { path, status, errors, retryAfterMs: retryAfterMs(retryAfter) });
}
