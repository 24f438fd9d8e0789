import { VaultError } from '../errors';
import type { Logger } from '../log';

/** Bounded retry policy with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Delay before retry number `attempt` (1-based): random in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Network error codes worth a retry: the server was not reachable or the connection broke. */
const RETRYABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** True for a network-level failure that a retry can fix. */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_NETWORK.has(code);
}

/** True for an HTTP status worth a retry: 429, 5xx except 501 (not initialized) and 503 "sealed". */
export function isRetryableStatus(status: number, errors: string[]): boolean {
  if (status === 429) return true;
  if (status === 503) return !errors.some((e) => /sealed/i.test(e));
  return status >= 500 && status !== 501;
}

/** Sleeps, but wakes up early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** True for a failed Vault call worth repeating: a network failure, 429, or a 5xx other than 501 and 503 "sealed". */
export function isRetryableVaultError(err: unknown): boolean {
  if (!(err instanceof VaultError)) return isRetryableNetworkError(err);
  if (err.status === undefined) return isRetryableNetworkError(err.cause);
  return err.code !== 'VAULT_SEALED' && isRetryableStatus(err.status, []);
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or `retries` retries are spent,
 * sleeping with jittered backoff in between and logging each retry. The one retry loop of the Vault calls.
 * @throws the last error
 */
export async function withRetry<T>(attempt: () => Promise<T>, o: { policy: RetryPolicy; retries: number; path: string; log: Logger; signal?: AbortSignal | undefined }): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetryableVaultError(err) || n >= o.retries || o.signal?.aborted) throw err;
      const delayMs = backoffDelay(o.policy, n + 1);
      const status = err instanceof VaultError ? err.status : undefined;
      o.log.warn('Vault call failed, retrying', { path: o.path, status, attempt: n + 1, retries: o.retries, delayMs, error: (err as Error).message });
      await sleep(delayMs, o.signal);
    }
  }
}
