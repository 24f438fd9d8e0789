import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError, type Logger, reclaimBuffersDuring, type VaultClient, VaultError } from '@vault-raft-backup/common';

const PATH = 'sys/storage/raft/snapshot-force';
const PROGRESS_EVERY_MS = 10_000;

/** Options of {@link uploadSnapshot}. */
export interface UploadOptions {
  token: string;
  log: Logger;
  signal: AbortSignal;
  /** Time Vault may take to store and check the upload before it answers. */
  responseTimeoutMs: number;
  /** Time Vault may take no byte while the snapshot is sent (VAULT_TIMEOUT); VAULT_TRANSFER_MIN_SPEED is the floor besides. */
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

/** Vault's refusal of the upload, said with what to do about it; Vault's `errors` list stays with it. */
function rejection(err: VaultError): VaultError {
  const status = err.status ?? 0;
  const detail = err.errors.length ? err.errors.join('; ') : 'no error message';
  const where = `POST /v1/${PATH}`;
  const details = { path: PATH, status, errors: err.errors };
  if (status === 500) return new VaultError('RESTORE_FAILED', `Vault rejected the snapshot (500 ${detail}): ${where}; the archive is corrupt or not a raft snapshot: check the backup that produced it`, details);
  if (status === 413) return new VaultError('RESTORE_FAILED', `Vault refused the snapshot as too large (413 ${detail}): ${where}; raise the listener's max_request_size`, details);
  if (status === 503) return new VaultError(err.code, `Vault could not take the snapshot (503 ${detail}): ${where}; check that the node is unsealed and active`, details);
  return err;
}

/**
 * Streams the snapshot file to `sys/storage/raft/snapshot-force` through the Vault transport (Content-Length
 * set, never buffered), re-opening the file for the one 307 to the active node its redirect policy follows.
 * Resolves on 204/200, which means accepted, not yet applied.
 * @throws VaultError RESTORE_FAILED for a 500 (archive rejected), VAULT_SEALED, VAULT_REDIRECT, VAULT_UNREACHABLE,
 * VAULT_TIMEOUT (the upload stalled or crawled below the speed floor).
 */
export async function uploadSnapshot(client: VaultClient, file: string, opts: UploadOptions): Promise<UploadResult> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (cause) {
    throw new AppError('FILE_IO', `cannot read snapshot file ${file}`, { cause });
  }
  const started = Date.now();
  const progress = progressLogger(opts.log, size, started);
  // A fresh stream per request: a 307 needs the body again, and a stream can be read only once.
  // 256 KiB reads: with 1 MiB ones, malloc's heap fragmented over a 4 GiB upload and peak RSS wandered 110-132 MiB.
  const body = { open: () => createReadStream(file, { highWaterMark: 256 * 1024 }), bytes: size };
  try {
    const res = await reclaimBuffersDuring(() => client.upload(PATH, { body, token: opts.token, signal: opts.signal, responseMs: opts.responseTimeoutMs, idleMs: opts.socketTimeoutMs, onProgress: (transferred) => progress({ transferred }) }));
    return { bytes: size, durationMs: Date.now() - started, acceptedBy: res.servedBy };
  } catch (err) {
    throw err instanceof VaultError && err.status !== undefined && err.code !== 'VAULT_REDIRECT' ? rejection(err) : err;
  }
}
