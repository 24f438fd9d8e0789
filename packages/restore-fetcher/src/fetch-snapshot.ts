import { rm } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  AppError,
  createAtomicFile,
  createProgress,
  getObjectStream,
  type Logger,
  type ObjectStream,
  objectFactsOf,
  removeStaleTempFiles,
  S3Error,
  SnapshotError,
  type SnapshotInfo,
  s3Url,
  streamVerified,
  toS3Error,
  writeSnapshotRecord,
} from '@vault-raft-backup/common';

/** What fetchSnapshot needs, already parsed and typed. */
export interface FetchOptions {
  bucket: string;
  key: string;
  file: string;
  allowMissingChecksum: boolean;
  /** Refuse a snapshot taken longer ago than this (milliseconds); undefined = no limit. */
  maxAgeMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

function ageText(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
}

/**
 * Refuses a snapshot older than the limit, before its body is read: when the time it was taken (its
 * `taken-at` metadata, else the object's Last-Modified) is too far back, the backups have stopped.
 * @throws SnapshotError SNAPSHOT_STALE naming the age and the limit
 */
function checkAge(o: FetchOptions, obj: ObjectStream, now = Date.now()): void {
  if (o.maxAgeMs === undefined) return;
  const takenAt = objectFactsOf(obj.metadata).takenAt ?? obj.lastModified?.toISOString();
  const age = takenAt === undefined ? undefined : now - Date.parse(takenAt);
  if (age !== undefined && age <= o.maxAgeMs) return;
  obj.body.destroy();
  const what = age === undefined ? 'has no taken-at metadata or Last-Modified' : `was taken ${ageText(age)} ago (${takenAt})`;
  throw new SnapshotError('SNAPSHOT_STALE', `${s3Url(o.bucket, o.key)} ${what}, more than RESTORE_MAX_AGE ${ageText(o.maxAgeMs)}: has the backup CronJob stopped? Check its last runs`);
}

function checkObject(o: FetchOptions, obj: ObjectStream, info: SnapshotInfo): void {
  const where = s3Url(o.bucket, o.key);
  const expected = obj.metadata.sha256;
  if (expected !== undefined && info.sha256 !== expected.toLowerCase()) {
    throw new S3Error('S3_VERIFY_FAILED', `${where}: downloaded sha256 ${info.sha256} differs from the object's sha256 metadata ${expected}`, { bucket: o.bucket, key: o.key });
  }
  if (info.bytes !== obj.bytes) {
    throw new S3Error('S3_VERIFY_FAILED', `${where}: received ${info.bytes} bytes, the store announced ${obj.bytes}`, { bucket: o.bucket, key: o.key });
  }
}

/** The body stream failed on the network side: the speed floor or the socket timeout, or a connection cut by the store. */
function fromStore(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  return e?.name === 'TimeoutError' || e?.code === 'ECONNRESET';
}

/** Names the object in errors that do not already (archive errors come from the verifier). */
function withLocation(err: unknown, o: FetchOptions): unknown {
  const where = s3Url(o.bucket, o.key);
  if (fromStore(err)) return toS3Error(err, 'GetObject', o.bucket, o.key);
  if (err instanceof SnapshotError) return new SnapshotError(err.code, `${where}: ${err.message}`, { cause: err });
  if (err instanceof AppError && !err.message.includes(where)) return new AppError(err.code, `${where}: ${err.message}`, { cause: err });
  if (!(err instanceof AppError)) return new AppError('FILE_IO', `${where}: download to ${o.file} failed`, { cause: err });
  return err;
}

async function openChecked(client: S3Client, o: FetchOptions, log: Logger): Promise<ObjectStream> {
  const obj = await getObjectStream(client, o.bucket, o.key, o.signal);
  if (obj.metadata.sha256 === undefined) {
    if (!o.allowMissingChecksum) {
      obj.body.destroy();
      throw new S3Error('S3_VERIFY_FAILED', `${s3Url(o.bucket, o.key)} has no sha256 metadata (set RESTORE_ALLOW_MISSING_CHECKSUM=true to rely on the archive check alone)`, { bucket: o.bucket, key: o.key });
    }
    log.warn('object has no sha256 metadata; relying on the archive check', { bucket: o.bucket, key: o.key });
  }
  return obj;
}

/**
 * Streams the object to a temp file while verifying the archive and hashing it, checks the
 * sha256 metadata, then renames it into place and writes the sidecar. On failure nothing is left.
 * @throws S3Error / SnapshotError naming bucket and key
 */
export async function fetchSnapshot(client: S3Client, o: FetchOptions, log: Logger): Promise<SnapshotInfo> {
  const started = Date.now();
  const stale = await removeStaleTempFiles(o.file);
  if (stale.length > 0) log.warn('removed temp files of an earlier run', { files: stale });
  const obj = await openChecked(client, o, log);
  checkAge(o, obj);
  log.info('download starting', { bucket: o.bucket, key: o.key, bytes: obj.bytes, file: o.file });
  const target = createAtomicFile(o.file, 0o600);
  const progress = createProgress({ log, msg: 'downloading', total: obj.bytes, fields: { bucket: o.bucket, key: o.key } });
  let committed = false;
  try {
    const info = await streamVerified(obj.body, target.stream, { progress, signal: o.signal });
    checkObject(o, obj, info);
    await target.commit();
    committed = true;
    // objects written before the seal facts were recorded have no `vault`: their sidecar has none either
    const { takenAt, vault } = objectFactsOf(obj.metadata);
    const record = { sha256: info.sha256, bytes: info.bytes, index: info.index, term: info.term, takenAt: takenAt ?? (obj.lastModified ?? new Date()).toISOString(), source: s3Url(o.bucket, o.key) };
    await writeSnapshotRecord(o.file, vault ? { ...record, vault } : record);
    if (!vault) log.warn("the object has no seal facts of its source Vault (written before they were recorded): the sidecar has none, so the restore must be given the source's unseal threshold (RESTORE_INIT_THRESHOLD)", { bucket: o.bucket, key: o.key });
    log.info('done', { ...progress.summary(), bucket: o.bucket, key: o.key, file: o.file, bytes: info.bytes, sha256: info.sha256, index: info.index, term: info.term, vault, durationMs: Date.now() - started });
    return info;
  } catch (err) {
    await target.discard();
    // the sidecar could not be written: a snapshot without it must not look complete
    if (committed) await rm(o.file, { force: true });
    throw withLocation(err, o);
  }
}
