import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError, codeForStatus, type Logger, type VaultClient, VaultError, vaultErrors } from '@vault-raft-backup/common';

const PATH = 'sys/storage/raft/snapshot-force';
const PROGRESS_EVERY_MS = 10_000;

/** Options of {@link uploadSnapshot}. */
export interface UploadOptions {
  token: string;
  log: Logger;
  signal: AbortSignal;
  /** Time Vault may take to store and check the upload before it answers. */
  responseTimeoutMs: number;
  /** Idle time allowed on the socket while sending. */
  socketTimeoutMs: number;
}

/** What the upload did. */
export interface UploadResult {
  bytes: number;
  durationMs: number;
  /** Origin of the node that accepted the snapshot (the active node after a redirect). */
  acceptedBy: string;
}

function progressLogger(log: Logger, total: number, started: number): (p: { transferred: number }) => void {
  let next = started + PROGRESS_EVERY_MS;
  return ({ transferred }) => {
    const now = Date.now();
    if (now < next || transferred >= total) return;
    next = now + PROGRESS_EVERY_MS;
    const rate = transferred / Math.max(1, (now - started) / 1000);
    log.info('uploading snapshot', { bytes: transferred, totalBytes: total, percent: Math.floor((transferred / total) * 100), bytesPerSecond: Math.round(rate), etaSeconds: Math.round((total - transferred) / Math.max(1, rate)) });
  };
}

async function postOnce(client: VaultClient, url: string, file: string, size: number, opts: UploadOptions) {
  const started = Date.now();
  try {
    return await client
      .got(url, {
        method: 'POST',
        // A fresh stream per request: a 307 needs the body again, and a stream can be read only once.
        // 256 KiB reads: with 1 MiB ones, malloc's heap fragmented over a 4 GiB upload and peak RSS wandered 110-132 MiB.
        body: createReadStream(file, { highWaterMark: 256 * 1024 }),
        headers: { ...client.headersFor(PATH, opts.token), 'content-type': 'application/octet-stream', 'content-length': String(size) },
        timeout: { connect: opts.socketTimeoutMs, socket: opts.socketTimeoutMs, response: opts.responseTimeoutMs },
        responseType: 'text',
        signal: opts.signal,
      })
      .on('uploadProgress', progressLogger(opts.log, size, started));
  } catch (cause) {
    if (opts.signal.aborted) throw opts.signal.reason;
    throw new VaultError('VAULT_UNREACHABLE', `upload of the snapshot to ${new URL(url).origin} failed: POST /v1/${PATH}`, { path: PATH, cause });
  }
}

function rejection(status: number, body: string): VaultError {
  let errors: string[] = [];
  try {
    errors = vaultErrors(JSON.parse(body));
  } catch {
    errors = [];
  }
  const detail = errors.length ? errors.join('; ') : 'no error message';
  const where = `POST /v1/${PATH}`;
  if (status === 500) return new VaultError('RESTORE_FAILED', `Vault rejected the snapshot (500 ${detail}): ${where}; the archive is corrupt or not a raft snapshot: check the backup that produced it`, { path: PATH, status });
  if (status === 413) return new VaultError('RESTORE_FAILED', `Vault refused the snapshot as too large (413 ${detail}): ${where}; raise the listener's max_request_size`, { path: PATH, status });
  if (status === 503) return new VaultError(codeForStatus(status, errors), `Vault could not take the snapshot (503 ${detail}): ${where}; check that the node is unsealed and active`, { path: PATH, status });
  return new VaultError(codeForStatus(status, errors), `Vault answered ${status} (${detail}): ${where}`, { path: PATH, status });
}

/**
 * Streams the snapshot file to `sys/storage/raft/snapshot-force` (Content-Length set, never
 * buffered), re-opening the file for one 307 to the active node. Resolves on 204/200, which
 * means accepted, not yet applied.
 * @throws VaultError RESTORE_FAILED for a 500 (archive rejected), VAULT_SEALED, VAULT_REDIRECT, VAULT_UNREACHABLE.
 */
export async function uploadSnapshot(client: VaultClient, file: string, opts: UploadOptions): Promise<UploadResult> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (cause) {
    throw new AppError('FILE_IO', `cannot read snapshot file ${file}`, { cause });
  }
  const started = Date.now();
  let url = `${client.addr}/v1/${PATH}`;
  let res = await postOnce(client, url, file, size, opts);
  if (res.statusCode === 307 && typeof res.headers.location === 'string') {
    url = new URL(res.headers.location, url).toString();
    opts.log.info('following redirect to the active node', { path: PATH, location: new URL(url).origin });
    res = await postOnce(client, url, file, size, opts);
  }
  if (res.statusCode === 307) throw new VaultError('VAULT_REDIRECT', `too many redirects (only one 307 to the active node is followed): POST /v1/${PATH}`, { path: PATH, status: 307 });
  if (res.statusCode !== 204 && res.statusCode !== 200) throw rejection(res.statusCode, res.body);
  return { bytes: size, durationMs: Date.now() - started, acceptedBy: new URL(url).origin };
}
