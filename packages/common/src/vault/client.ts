import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { ReopenableBody } from './exchange';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { DEFAULT_SPEED_FLOOR, type SpeedFloor } from '../transfer-guard';
import { type VaultMethod, VaultTransport } from './transport';

export interface VaultClientOptions {
  /** Base address, e.g. http://127.0.0.1:8200 (no trailing slash). */
  addr: string;
  /** Path of a PEM file with the CA that signed Vault's certificate (VAULT_CACERT). */
  caCertPath?: string | undefined;
  skipVerify?: boolean;
  namespace?: string | undefined;
  token?: string | undefined;
  /** Timeout of one JSON call; of connecting, for a transfer. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** The speed floor of transfers (VAULT_TRANSFER_MIN_SPEED over VAULT_TRANSFER_SPEED_TIME). */
  floor?: SpeedFloor;
  log: Logger;
}

export interface VaultResponse<T> {
  status: number;
  body: T;
  /** URL that answered. */
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

/** A streamed download (the raft snapshot). */
export interface OpenedStream {
  body: Readable;
  /** Origin of the node that served the stream (the active node after a redirect). */
  servedBy: string;
  contentType: string | undefined;
}

/** A streamed upload of a file (the restore). */
export interface UploadOptions {
  body: ReopenableBody;
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Time Vault may take to answer once the body is sent. */
  responseMs: number;
  /** Time Vault may take no byte while the body is sent. */
  idleMs: number;
  contentType?: string;
  onProgress?: (bytes: number) => void;
  allowStatus?: number[];
}

/** sys/ endpoints that only exist in the root namespace: never send X-Vault-Namespace to them. */
const ROOT_ONLY = /^sys\/(storage\/raft|health|init|unseal|seal-status|seal\b|leader)/;

function readCa(path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([`VAULT_CACERT: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

/** A small Vault client: TLS, token and namespace headers; every call goes through the one {@link VaultTransport}. */
export class VaultClient {
  readonly addr: string;
  private readonly transport: VaultTransport;
  private readonly options: VaultClientOptions;

  /** @throws ConfigError when VAULT_CACERT cannot be read. */
  constructor(options: VaultClientOptions) {
    this.options = options;
    this.addr = options.addr.replace(/\/+$/, '');
    const ca = readCa(options.caCertPath);
    // got is loaded on the first call, not when the bundle starts: requiring it (and the http2, dns and
    // cache modules it pulls in) was the largest part of a --help run
    let http: Promise<Got> | undefined;
    const gotFor = () => {
      http ??= import('got').then(({ default: got }) =>
        got.extend({
          https: { certificateAuthority: ca, rejectUnauthorized: !options.skipVerify },
          // the transport owns retries, redirects and error statuses
          retry: { limit: 0 },
          throwHttpErrors: false,
          followRedirect: false,
          headers: { 'x-vault-request': 'true', 'user-agent': 'vault-raft-backup' },
        }),
      );
      return http;
    };
    const settings = { addr: this.addr, http: gotFor, timeoutMs: options.timeoutMs ?? 30_000, retry: options.retry ?? DEFAULT_RETRY, floor: options.floor ?? DEFAULT_SPEED_FLOOR, log: options.log };
    this.transport = new VaultTransport(settings);
  }

  /** A client with the same settings and another token. */
  withToken(token: string | undefined): VaultClient {
    return new VaultClient({ ...this.options, token });
  }

  /** A client with the same settings and another per-call timeout (a call that may legitimately wait long). */
  withTimeout(timeoutMs: number): VaultClient {
    return new VaultClient({ ...this.options, timeoutMs });
  }

  /** The logger the client reports retries to. */
  get log(): Logger {
    return this.options.log;
  }

  private headersFor(path: string, token = this.options.token, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = {};
    if (token) h['x-vault-token'] = token;
    if (this.options.namespace && !ROOT_ONLY.test(path)) h['x-vault-namespace'] = this.options.namespace;
    return { ...h, ...extra };
  }

  /**
   * Sends one JSON request to `/v1/<path>`, retrying idempotent calls within the retry budget.
   * @throws VaultError on a status >= 400 not in allowStatus, on network failure, or on a redirect not followed.
   */
  async request<T = unknown>(method: VaultMethod, path: string, opts: RequestOptions = {}): Promise<VaultResponse<T>> {
    const headers = this.headersFor(path, opts.token ?? this.options.token, opts.headers);
    const res = await this.transport.text({ method, path, headers, json: opts.json, idempotent: opts.idempotent, allowStatus: opts.allowStatus, signal: opts.signal });
    let body: unknown;
    try {
      body = res.text === '' ? undefined : JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body: body as T, url: res.url };
  }

  /**
   * Opens a streamed GET of `/v1/<path>`: retried until the first byte (within `firstByteMs`), then ended with
   * VaultError VAULT_TIMEOUT when it moves no byte for `idleMs` or crawls below the speed floor.
   * @throws VaultError before the first byte.
   */
  async openStream(path: string, opts: { signal?: AbortSignal | undefined; firstByteMs: number; idleMs: number }): Promise<OpenedStream> {
    const answer = await this.transport.download({ method: 'GET', path, headers: this.headersFor(path), idempotent: true, signal: opts.signal }, { headMs: opts.firstByteMs, idleMs: opts.idleMs });
    const type = answer.headers['content-type'];
    return { body: answer.body, servedBy: new URL(answer.url).origin, contentType: type };
  }

  /**
   * POSTs a re-openable body to `/v1/<path>` (never retried: an upload is not idempotent).
   * @throws VaultError for an error status not in allowStatus, a redirect not followed, or a transfer that stalls or crawls.
   */
  async upload(path: string, o: UploadOptions): Promise<VaultResponse<string> & { servedBy: string }> {
    const headers = this.headersFor(path, o.token ?? this.options.token, { 'content-type': o.contentType ?? 'application/octet-stream', 'content-length': String(o.body.bytes) });
    const res = await this.transport.upload({ method: 'POST', path, headers, body: o.body, allowStatus: o.allowStatus, signal: o.signal }, { headMs: o.responseMs, idleMs: o.idleMs, onProgress: o.onProgress });
    return { status: res.status, body: res.text, url: res.url, servedBy: new URL(res.url).origin };
  }
}
