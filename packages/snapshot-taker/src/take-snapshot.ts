import {
  AppError,
  createAtomicFile,
  createProgress,
  type Logger,
  openVaultStream,
  removeStaleTempFiles,
  SnapshotError,
  type SnapshotRecord,
  streamVerified,
  type VaultClient,
  VaultError,
  withoutUserinfo,
  writeSnapshotRecord,
} from '@vault-raft-backup/common';
import { readSealFacts, sealFactsOrWarn } from './source-vault';

export const SNAPSHOT_PATH = 'sys/storage/raft/snapshot';

export interface TakeParams {
  file: string;
  /** Abort when the stream moves no byte for this long (SNAPSHOT_STALL_TIMEOUT). */
  stallMs: number;
  /** Time Vault may take before the first byte (SNAPSHOT_FIRST_BYTE_TIMEOUT). */
  firstByteMs: number;
  /** Time the seal-status read may take in all (VAULT_TIMEOUT). */
  callMs: number;
  signal: AbortSignal;
  /** A client for the node at this origin, with the same TLS settings and no token: reads that node's seal status. */
  clientAt: (origin: string) => VaultClient;
}

/** errno codes of the local file system: the disk failed, not Vault. */
const FILE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'ENOENT', 'EISDIR', 'EIO', 'EMFILE', 'ENFILE', 'EEXIST']);

/** Maps a failure of the byte stream to a snapshot error that says what happened. */
function streamFailure(err: unknown, params: TakeParams): unknown {
  const { signal } = params;
  // the transport ended a stream that stalled or crawled; its message says which (no cause: it would repeat it)
  if (err instanceof VaultError && err.code === 'VAULT_TIMEOUT') return new SnapshotError('SNAPSHOT_STALLED', `snapshot stream ${err.message.replace(/^transfer /, '')}`);
  if (err instanceof AppError) return err;
  if (signal.aborted) return signal.reason;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && FILE_ERRORS.has(code)) {
    return new AppError('FILE_IO', `cannot write the snapshot to ${params.file} (${code})`, { cause: err });
  }
  return new SnapshotError('SNAPSHOT_INCOMPLETE', 'snapshot stream from Vault broke off before the archive was complete', { cause: err });
}

/**
 * Streams the raft snapshot from Vault into `file`, hashing and verifying the archive in the same pass.
 * The file appears only after verification; on any failure nothing is left at `file`.
 * @throws VaultError before the first byte, SnapshotError for a truncated, stalled or corrupt archive.
 */
export async function takeSnapshot(client: VaultClient, params: TakeParams, log: Logger): Promise<SnapshotRecord> {
  const stale = await removeStaleTempFiles(params.file);
  if (stale.length > 0) log.warn('removed temp files of an earlier run that did not finish', { files: stale });
  const started = Date.now();
  log.info('requesting raft snapshot', { vaultAddr: withoutUserinfo(client.addr), file: params.file });
  const opened = await openVaultStream(client, SNAPSHOT_PATH, { signal: params.signal, stallMs: params.stallMs, firstByteMs: params.firstByteMs });
  if (opened.contentType && !/gzip|octet-stream/.test(opened.contentType)) {
    opened.body.destroy();
    throw new SnapshotError('SNAPSHOT_INVALID', `Vault answered 200 with content type "${opened.contentType}", not a gzip snapshot: GET /v1/${SNAPSHOT_PATH}`);
  }
  const target = createAtomicFile(params.file, 0o600);
  // Vault sends no Content-Length for a snapshot: progress lines carry bytes and rate, no percent or ETA.
  const progress = createProgress({ log, msg: 'downloading snapshot', fields: { servedBy: opened.servedBy } });
  // The seal facts of the node that served the snapshot (the active node after a 307), read while the
  // snapshot streams and given VAULT_TIMEOUT in all: they never delay or fail the snapshot itself.
  const stopFacts = new AbortController();
  const facts = readSealFacts(params.clientAt(opened.servedBy), AbortSignal.any([params.signal, stopFacts.signal, AbortSignal.timeout(params.callMs)]));
  try {
    const info = await streamVerified(opened.body, target.stream, { progress, signal: params.signal });
    await target.commit();
    const vault = sealFactsOrWarn(await facts, log);
    const record: SnapshotRecord = { sha256: info.sha256, bytes: info.bytes, index: info.index, term: info.term, takenAt: new Date(started).toISOString(), source: opened.servedBy, ...(vault ? { vault } : {}) };
    await writeSnapshotRecord(params.file, record);
    const durationMs = Date.now() - started;
    log.info('snapshot written and verified', { ...record, file: params.file, durationMs, mibPerSecond: Number((info.bytes / 1048576 / Math.max(durationMs / 1000, 0.001)).toFixed(1)) });
    return record;
  } catch (err) {
    stopFacts.abort();
    await target.discard();
    throw streamFailure(err, params);
  }
}

/** Revokes the token; a failure is logged, not fatal (the token expires with its short TTL). */
export async function revokeToken(client: VaultClient, log: Logger): Promise<void> {
  try {
    await client.request('POST', 'auth/token/revoke-self', { idempotent: true });
    log.info('token revoked');
  } catch (err) {
    log.warn('could not revoke the token; it stays valid until its TTL ends', { error: (err as Error).message });
  }
}
