import { formatMs } from '../config/fields';
import { VaultError } from '../errors';
import type { Logger } from '../log';

/**
 * When a failed Vault call is sent again: within a time budget, with exponential backoff and full jitter,
 * never earlier than the server's `Retry-After`, and only for calls that are safe to repeat.
 */
export interface RetryPolicy {
  /** No retry starts later than this after the first attempt began (VAULT_RETRY_TIMEOUT). */
  timeoutMs: number;
  /** A hard cap on the number of retries (VAULT_MAX_RETRIES); undefined: the time budget alone decides. */
  maxRetries?: number | undefined;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * 60 s rides out what makes an active Vault unreachable for a while: a raft leader election (a few
 * election timeouts, seconds), a rolling restart of the active pod (the `-active` service has no endpoint
 * until the new active node is unsealed and labelled), a rate-limit quota's block interval.
 */
export const DEFAULT_RETRY: RetryPolicy = { timeoutMs: 60_000, baseDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Delay before retry number `attempt` (1-based), "full jitter" of AWS's "Exponential Backoff And Jitter":
 * random in [0, min(max, base * 2^(attempt-1))], so clients that failed together do not retry together.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP-date (RFC 9110 10.2.3), read as
 * got's calculate-retry-delay does; undefined when absent or unreadable. Vault sends whole seconds (its
 * rate-limit quotas with enable_rate_limit_response_headers, internal/vault/quotas/quotas_rate_limit.go).
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // an HTTP-date names its month (and weekday): anything else Date.parse might read is not one
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network error codes worth a retry: the server was not reachable or the connection broke. */
const RETRYABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** True for a network-level failure that a retry can fix. */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_NETWORK.has(code);
}

/**
 * True for an HTTP status worth a retry, as Vault's own client decides (api/client.go `DefaultRetryPolicy`:
 * retryablehttp's 429 and 5xx but 501, plus 412 of a performance standby), except 503 "sealed": a sealed
 * Vault stays sealed until someone unseals it.
 */
export function isRetryableStatus(status: number, errors: readonly string[]): boolean {
  if (status === 429 || status === 412) return true;
  if (status === 503) return !errors.some((e) => /sealed/i.test(e));
  return status >= 500 && status !== 501;
}

/** True for a failed Vault call worth repeating: a network failure, or a retryable status. */
export function isRetryableVaultError(err: unknown): boolean {
  if (!(err instanceof VaultError)) return isRetryableNetworkError(err);
  if (err.code !== 'VAULT_UNREACHABLE' && err.code !== 'VAULT_HTTP' && err.code !== 'VAULT_SEALED') return false;
  if (err.status === undefined) return isRetryableNetworkError(err.cause);
  return isRetryableStatus(err.status, err.errors);
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

/** What the retry loop needs besides the attempt. */
export interface RetryContext {
  policy: RetryPolicy;
  /** Safe to send again: an idempotent call, or one whose repetition does no harm (login). */
  idempotent: boolean;
  /** `METHOD /v1/path`, for log lines. */
  call: string;
  path: string;
  log: Logger;
  signal?: AbortSignal | undefined;
}

/** The delay before retry `n`, or undefined when the call must not be retried; logs why a Retry-After ends it. */
function nextDelay(err: unknown, n: number, started: number, o: RetryContext): number | undefined {
  if (!o.idempotent || o.signal?.aborted || !isRetryableVaultError(err)) return undefined;
  if (o.policy.maxRetries !== undefined && n > o.policy.maxRetries) return undefined;
  const left = o.policy.timeoutMs - (Date.now() - started);
  if (left <= 0) return undefined;
  const asked = err instanceof VaultError ? err.retryAfterMs : undefined;
  if (asked !== undefined && asked > left) {
    o.log.warn('Vault asked to retry later than the retry budget allows: not retrying', { call: o.call, retryAfterMs: asked, retryTimeout: formatMs(o.policy.timeoutMs), leftMs: left });
    return undefined;
  }
  // Vault's Retry-After is whole seconds, often "0": never sooner than it asks, never without backoff.
  return Math.min(Math.max(asked ?? 0, backoffDelay(o.policy, n)), left);
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the budget is spent,
 * sleeping with backoff in between and logging each retry. The one retry loop of every Vault call.
 * @throws the last error
 */
export async function withRetry<T>(attempt: () => Promise<T>, o: RetryContext): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const delayMs = nextDelay(err, n, started, o);
      if (delayMs === undefined) throw err;
      const status = err instanceof VaultError ? err.status : undefined;
      o.log.warn('Vault call failed, retrying', {
        path: o.path,
        status,
        attempt: n,
        delayMs,
        elapsedMs: Date.now() - started,
        retryTimeoutMs: o.policy.timeoutMs,
        ...(o.policy.maxRetries !== undefined ? { maxRetries: o.policy.maxRetries } : {}),
        error: (err as Error).message,
      });
      await sleep(delayMs, o.signal);
    }
  }
}
