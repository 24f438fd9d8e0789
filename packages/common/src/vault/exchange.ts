import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Delays, Got, Progress } from 'got';
import { formatBytes, formatMs } from '../config/fields';
import { VaultError } from '../errors';
import { guardTransfer, type TransferFailure, type TransferLimits } from '../transfer-guard';

/** A request body that can be opened again: for a retry, or for the one redirect of an upload. */
export interface ReopenableBody {
  open: () => Readable;
  bytes: number;
}

/** One HTTP request, exactly as sent: no retry, no redirect. */
export interface Attempt {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  json?: unknown;
  body?: ReopenableBody | undefined;
  timeout: Delays;
  signal?: AbortSignal | undefined;
  /** Limits of sending the body; none: the body is small. */
  upload?: (TransferLimits & { onProgress?: ((bytes: number) => void) | undefined }) | undefined;
  /** `METHOD /v1/path`, for messages. */
  call: string;
  path: string;
}

/** The answer's head; `body` is the response body, not read yet. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The URL that answered. */
  url: string;
}

/** The error of a transfer its guard ended: `direction` is who was slow, as the message says it. */
export function transferError(why: TransferFailure, limits: TransferLimits, direction: 'sent' | 'took', call: string, path: string): VaultError {
  const text =
    why.kind === 'stalled'
      ? `transfer stalled: ${direction === 'sent' ? 'no data from Vault' : 'Vault took no data'} for ${formatMs(limits.idleMs)}`
      : `transfer too slow: Vault ${direction} ${formatBytes(why.movedBytes)} in the last ${formatMs(limits.windowMs)}, fewer than ${formatBytes(limits.minBytesPerSecond)}/s (VAULT_TRANSFER_MIN_SPEED)`;
  return new VaultError('VAULT_TIMEOUT', `${text}: ${call}`, { path });
}

function options(a: Attempt, body: Readable | undefined) {
  return {
    method: a.method,
    headers: a.headers,
    timeout: a.timeout,
    signal: a.signal,
    ...(a.json !== undefined ? { json: a.json } : {}),
    ...(body ? { body } : {}),
  };
}

/**
 * Sends one request and resolves once the answer's head arrived; an upload is watched by its guard meanwhile.
 * @throws VaultError VAULT_UNREACHABLE (no answer), VAULT_TIMEOUT (the upload stalled or crawled), or the signal's reason.
 */
export function exchange(http: Got, a: Attempt): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let failure: VaultError | undefined;
    const body = a.body?.open();
    const stream = http.stream(a.url, options(a, body));
    // a redirect or a failure ends the request before the body was read to its end: close the file too
    stream.once('close', () => body?.destroy());
    const upload = a.upload;
    const guard =
      a.body && upload
        ? guardTransfer(upload, (why) => {
            failure = transferError(why, upload, 'took', a.call, a.path);
            stream.destroy(failure);
          })
        : undefined;
    if (guard && upload) {
      stream.on('uploadProgress', (p: Progress) => {
        guard.progress(p.transferred);
        upload.onProgress?.(p.transferred);
        if (p.percent >= 1) guard.stop();
      });
    }
    const onError = (cause: unknown) => {
      guard?.stop();
      if (failure) reject(failure);
      else if (a.signal?.aborted) reject(a.signal.reason);
      else reject(new VaultError('VAULT_UNREACHABLE', `cannot reach Vault at ${new URL(a.url).origin}: ${a.call}`, { path: a.path, cause }));
    };
    stream.once('error', onError);
    stream.once('response', (res: IncomingMessage & { url?: string }) => {
      guard?.stop();
      stream.off('error', onError);
      // whoever reads the body handles its errors; until then an error must not crash the process
      stream.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: stream, url: res.url ?? a.url });
    });
    // a stream request without a body waits for one: end it (GET ends by itself)
    if (a.method !== 'GET' && a.json === undefined && !a.body) stream.end();
  });
}
