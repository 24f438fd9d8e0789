import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { VaultError } from '../errors';
import { type VaultClient, codeForStatus, vaultErrors } from './client';
import { withRetry } from './retry';

export interface OpenStreamOptions {
  signal?: AbortSignal | undefined;
  /** Abort when no byte arrives for this long (a stalled stream). */
  stallMs: number;
  /** Time allowed until the response headers arrive. */
  firstByteMs: number;
}

export interface OpenedStream {
  body: Readable;
  /** Origin of the node that served the stream (the active node after a redirect). */
  servedBy: string;
  contentType: string | undefined;
}

const MAX_ERROR_BODY = 64 * 1024;

async function readSmall(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > MAX_ERROR_BODY) break;
  }
  return text;
}

async function openOnce(client: VaultClient, path: string, url: string, opts: OpenStreamOptions): Promise<{ res: IncomingMessage; stream: Readable }> {
  const stream = client.got.stream(url, {
    headers: client.headersFor(path),
    timeout: { connect: opts.firstByteMs, response: opts.firstByteMs, socket: opts.stallMs },
    signal: opts.signal,
  });
  return new Promise((resolve, reject) => {
    stream.once('response', (res: IncomingMessage) => {
      stream.off('error', reject);
      resolve({ res, stream });
    });
    stream.once('error', (cause: unknown) =>
      reject(new VaultError('VAULT_UNREACHABLE', `cannot reach Vault at ${new URL(url).origin}: GET /v1/${path}`, { path, cause })),
    );
  });
}

/**
 * Opens a streamed GET of `/v1/<path>` (the raft snapshot): retries connection failures and
 * retryable statuses before the first byte, follows at most one 307 to the active node.
 * @throws VaultError for error statuses (403, 503 sealed, ...), a redirect loop, or an unreachable Vault.
 */
export async function openVaultStream(client: VaultClient, path: string, opts: OpenStreamOptions, retry = client.retryPolicy): Promise<OpenedStream> {
  return withRetry(() => openFollowingOneRedirect(client, path, opts), { policy: retry, retries: retry.retries, path, log: client.log, signal: opts.signal });
}

async function openFollowingOneRedirect(client: VaultClient, path: string, opts: OpenStreamOptions): Promise<OpenedStream> {
  let url = `${client.addr}/v1/${path}`;
  for (let hop = 0; hop < 2; hop++) {
    const { res, stream } = await openOnce(client, path, url, opts);
    const status = res.statusCode ?? 0;
    if (status === 200) return { body: stream, servedBy: new URL(url).origin, contentType: res.headers['content-type'] };
    if (status === 307 && hop === 0 && typeof res.headers.location === 'string') {
      stream.destroy();
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    if (status === 307) {
      stream.destroy();
      throw new VaultError('VAULT_REDIRECT', `too many redirects (only one 307 to the active node is followed): GET /v1/${path}`, { path, status });
    }
    let errors: string[] = [];
    try {
      errors = vaultErrors(JSON.parse(await readSmall(stream)));
    } catch {
      errors = [];
    }
    const detail = errors.length ? errors.join('; ') : 'no error message';
    throw new VaultError(codeForStatus(status, errors), `Vault answered ${status} (${detail}): GET /v1/${path}`, { path, status });
  }
  throw new VaultError('VAULT_REDIRECT', `too many redirects: GET /v1/${path}`, { path });
}
