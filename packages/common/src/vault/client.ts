import { readFileSync } from 'node:fs';
import got, { type Got, type OptionsInit } from 'got';
import { ConfigError, type ErrorCode, VaultError } from '../errors';
import type { Logger } from '../log';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';

export interface VaultClientOptions {
  /** Base address, e.g. http://127.0.0.1:8200 (no trailing slash). */
  addr: string;
  /** Path of a PEM file with the CA that signed Vault's certificate (VAULT_CACERT). */
  caCertPath?: string | undefined;
  skipVerify?: boolean;
  namespace?: string | undefined;
  token?: string | undefined;
  /** Timeout for one JSON call, and for the first byte of a stream. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  log: Logger;
}

export interface VaultResponse<T> {
  status: number;
  body: T;
  /** URL that answered, after at most one redirect. */
  url: string;
}

export interface RequestOptions {
  json?: unknown;
  /** Safe to send again after a network error, 429 or 5xx. */
  idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown. */
  allowStatus?: number[];
  signal?: AbortSignal | undefined;
  /** Extra headers (e.g. X-Vault-Wrap-TTL). */
  headers?: Record<string, string>;
  token?: string | undefined;
}

/** sys/ endpoints that only exist in the root namespace: never send X-Vault-Namespace to them. */
const ROOT_ONLY = /^sys\/(storage\/raft|health|init|unseal|seal-status|seal\b|leader)/;

/** Extracts Vault's `{"errors":[...]}` list from a body, tolerating anything else. */
export function vaultErrors(body: unknown): string[] {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors)) {
    return ((body as { errors: unknown[] }).errors).map(String);
  }
  return [];
}

/** The error code for a Vault status. */
export function codeForStatus(status: number, errors: string[]): ErrorCode {
  if (status === 403) return 'VAULT_PERMISSION_DENIED';
  if (status === 503 && errors.some((e) => /sealed/i.test(e))) return 'VAULT_SEALED';
  return 'VAULT_HTTP';
}

/** A small Vault HTTP client on got: TLS, namespace, timeouts, bounded retries, one redirect. */
export class VaultClient {
  readonly addr: string;
  private readonly http: Got;
  private readonly options: VaultClientOptions;

  /** @throws ConfigError when VAULT_CACERT cannot be read. */
  constructor(options: VaultClientOptions) {
    this.options = options;
    this.addr = options.addr.replace(/\/+$/, '');
    let ca: Buffer | undefined;
    if (options.caCertPath) {
      try {
        ca = readFileSync(options.caCertPath);
      } catch (err) {
        throw new ConfigError([`VAULT_CACERT: cannot read ${options.caCertPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
      }
    }
    const init: OptionsInit = {
      https: { certificateAuthority: ca, rejectUnauthorized: !options.skipVerify },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      headers: { 'x-vault-request': 'true', 'user-agent': 'vault-raft-backup' },
    };
    this.http = got.extend(init);
  }

  /** A client with the same settings and another token. */
  withToken(token: string | undefined): VaultClient {
    return new VaultClient({ ...this.options, token });
  }

  /** A client with the same settings and another per-call timeout (a call that may legitimately wait long). */
  withTimeout(timeoutMs: number): VaultClient {
    return new VaultClient({ ...this.options, timeoutMs });
  }

  /** Headers for a path: token and namespace (except for root-only sys endpoints). */
  headersFor(path: string, token = this.options.token): Record<string, string> {
    const h: Record<string, string> = {};
    if (token) h['x-vault-token'] = token;
    if (this.options.namespace && !ROOT_ONLY.test(path)) h['x-vault-namespace'] = this.options.namespace;
    return h;
  }

  /**
   * Sends one JSON request to `/v1/<path>`, retrying idempotent calls, following at most one 307.
   * @throws VaultError on a status >= 400 not in allowStatus, on network failure, or on a second redirect.
   */
  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST', path: string, opts: RequestOptions = {}): Promise<VaultResponse<T>> {
    const policy = this.retryPolicy;
    return withRetry(() => this.requestOnce<T>(method, path, opts), { policy, retries: opts.idempotent ? policy.retries : 0, path, log: this.options.log, signal: opts.signal });
  }

  private async requestOnce<T>(method: string, path: string, opts: RequestOptions, url = `${this.addr}/v1/${path}`, redirected = false): Promise<VaultResponse<T>> {
    const shownMethod = method;
    let res: { statusCode: number; body: string; headers: Record<string, string | string[] | undefined>; url: string };
    try {
      res = await this.http(url, {
        method: method === 'LIST' ? 'GET' : (method as 'GET'),
        searchParams: method === 'LIST' ? { list: 'true' } : undefined,
        json: opts.json,
        headers: { ...this.headersFor(path, opts.token ?? this.options.token), ...opts.headers },
        timeout: { request: this.options.timeoutMs ?? 30_000 },
        responseType: 'text',
        signal: opts.signal,
      });
    } catch (cause) {
      throw new VaultError('VAULT_UNREACHABLE', `cannot reach Vault at ${new URL(url).origin}: ${shownMethod} /v1/${path}`, { path, cause });
    }
    if (res.statusCode === 307) {
      const location = res.headers.location;
      if (redirected || typeof location !== 'string') {
        throw new VaultError('VAULT_REDIRECT', `too many redirects (only one 307 to the active node is followed): ${shownMethod} /v1/${path}`, { path, status: 307 });
      }
      this.options.log.info('following redirect to the active node', { path, location: new URL(location, url).origin });
      return this.requestOnce<T>(method, path, opts, new URL(location, url).toString(), true);
    }
    let body: unknown;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    if (res.statusCode >= 400 && !opts.allowStatus?.includes(res.statusCode)) {
      const errors = vaultErrors(body);
      const detail = errors.length ? errors.join('; ') : 'no error message';
      throw new VaultError(codeForStatus(res.statusCode, errors), `Vault answered ${res.statusCode} (${detail}): ${shownMethod} /v1/${path}`, { path, status: res.statusCode });
    }
    return { status: res.statusCode, body: body as T, url: res.url };
  }

  /** The retry policy of idempotent calls (VAULT_MAX_RETRIES), which streamed calls use too. */
  get retryPolicy(): RetryPolicy {
    return this.options.retry ?? DEFAULT_RETRY;
  }

  /** The logger the client reports retries to. */
  get log(): Logger {
    return this.options.log;
  }

  /** The underlying got instance, for streaming calls in this folder. */
  get got(): Got {
    return this.http;
  }
}
