import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError, collectFinishedPhase, createProgress, headObject, type Logger, objectMetadataOf, readSnapshotRecord, reclaimBuffersDuring, S3Error, type SnapshotRecord, snapshotKey } from '@vault-raft-backup/common';
import { copyObject } from './copy-object';
import { FileDigest } from './file-digest';
import { applyRetention } from './retention';
import { deleteObject, type ExpectedObject, readBack, verifyStoredObject } from './stored-object';
import { type ObjectSettings, uploadStream } from './upload-stream';

/** What uploadSnapshot needs, already parsed and typed. */
export interface UploadOptions extends ObjectSettings {
  file: string;
  bucket: string;
  prefix: string;
  /** Full key of `latest`; undefined disables it. */
  latestKey: string | undefined;
  /** Keep the newest N timestamped snapshots; 0 keeps all. */
  retain: number;
  partSize: number;
  queueSize: number;
  /** Above this size `latest` is made by a multipart copy (default 5 GiB). */
  multipartCopyThreshold?: number;
  signal?: AbortSignal | undefined;
}

/** S3 allows 10 000 parts; stay below with a margin by growing the part size for huge files. */
const MAX_PARTS = 9000;

async function checkFileAgainstRecord(file: string, record: SnapshotRecord): Promise<void> {
  let bytes: number;
  try {
    bytes = (await stat(file)).size;
  } catch (cause) {
    throw new AppError('FILE_IO', `cannot read snapshot file ${file}`, { cause });
  }
  if (bytes !== record.bytes) {
    throw new AppError('SNAPSHOT_INCOMPLETE', `snapshot file ${file} has ${bytes} bytes but its sidecar says ${record.bytes}: refusing to upload`);
  }
}

async function streamToS3(client: S3Client, o: UploadOptions, key: string, record: SnapshotRecord, log: Logger) {
  // The sidecar is written only after snapshot-taker (or restore-fetcher) verified the archive; the file is
  // hashed, not verified again: a file whose bytes are not the ones the sidecar names is refused.
  const digest = new FileDigest();
  pipeline(createReadStream(o.file, { highWaterMark: 1024 * 1024 }), digest, () => {});
  // Runs after the last byte and before the upload completes: a mismatch aborts the upload.
  const matchesRecord = async () => {
    const info = digest.digest();
    if (info.sha256 !== record.sha256 || info.bytes !== record.bytes) {
      throw new AppError('SNAPSHOT_INVALID', `snapshot file ${o.file} (sha256 ${info.sha256}, ${info.bytes} bytes) does not match its sidecar (sha256 ${record.sha256}, ${record.bytes} bytes)`);
    }
  };
  const progress = createProgress({ log, msg: 'uploading', total: record.bytes, fields: { bucket: o.bucket, key } });
  const result = await uploadStream({
    client,
    bucket: o.bucket,
    key,
    body: digest,
    metadata: objectMetadataOf(record),
    partSize: Math.max(o.partSize, Math.ceil(record.bytes / MAX_PARTS)),
    queueSize: o.queueSize,
    beforeEnd: matchesRecord,
    signal: o.signal,
    onProgress: (n) => progress.set(n),
    sse: o.sse,
    kmsKeyId: o.kmsKeyId,
    storageClass: o.storageClass,
  });
  log.info('uploaded', { ...progress.summary(), bucket: o.bucket, key, bytes: result.bytes, etag: result.etag });
  return result;
}

/**
 * Reads the object back (see README, "Integrity"); a failing object that claims to be this snapshot
 * is deleted. `latest` is replaced only after this passed.
 */
async function readBackOrDelete(client: S3Client, o: UploadOptions, key: string, expected: ExpectedObject, log: Logger): Promise<void> {
  const progress = createProgress({ log, msg: 'reading back', total: expected.bytes, fields: { bucket: o.bucket, key } });
  try {
    await readBack(client, o.bucket, key, expected, { signal: o.signal, onProgress: (n) => progress.set(n) });
  } catch (err) {
    if (err instanceof S3Error && err.code === 'S3_VERIFY_FAILED') {
      // Another backup that took its snapshot in the same second writes the same key: its complete,
      // verified object must survive. Only an object that claims to be this snapshot is removed.
      const storedSha = await headObject(client, o.bucket, key, o.signal).then((h) => h.Metadata?.sha256, () => undefined);
      if (storedSha !== undefined && storedSha !== expected.sha256) {
        log.error('the key now holds another snapshot (a concurrent backup in the same second?); left in place', { bucket: o.bucket, key, storedSha256: storedSha });
        throw err;
      }
      await deleteObject(client, o.bucket, key).then(
        () => log.warn('deleted the object that failed verification', { bucket: o.bucket, key }),
        (e: unknown) => log.error('could not delete the object that failed verification', { bucket: o.bucket, key, error: String(e) }),
      );
    }
    throw err;
  }
  log.info('verified', { ...progress.summary(), bucket: o.bucket, key, bytes: expected.bytes, sha256: expected.sha256, readBack: true });
}

async function updateLatest(client: S3Client, o: UploadOptions, key: string, latestKey: string, record: SnapshotRecord, log: Logger): Promise<void> {
  const { multipart } = await copyObject({
    client,
    bucket: o.bucket,
    sourceKey: key,
    destKey: latestKey,
    bytes: record.bytes,
    metadata: objectMetadataOf(record),
    multipartThreshold: o.multipartCopyThreshold,
    sse: o.sse,
    kmsKeyId: o.kmsKeyId,
    storageClass: o.storageClass,
    signal: o.signal,
  });
  try {
    await verifyStoredObject(client, o.bucket, latestKey, { bytes: record.bytes, sha256: record.sha256 }, o.signal);
  } catch (err) {
    if (!(err instanceof S3Error && err.code === 'S3_VERIFY_FAILED') || !(await newerSnapshotIsLatest(client, o, latestKey, record, log))) throw err;
    return;
  }
  log.info('latest copied', { bucket: o.bucket, key: latestKey, from: key, multipart });
}

/** An overlapping backup of a later snapshot may replace `latest` right after this run's copy: that is not a failure. */
async function newerSnapshotIsLatest(client: S3Client, o: UploadOptions, latestKey: string, record: SnapshotRecord, log: Logger): Promise<boolean> {
  const meta = await headObject(client, o.bucket, latestKey, o.signal).then((h) => h.Metadata, () => undefined);
  const takenAt = meta?.['taken-at'];
  if (!meta?.sha256 || takenAt === undefined || !(Date.parse(takenAt) > Date.parse(record.takenAt))) return false;
  log.warn('latest already points at a newer snapshot of an overlapping backup; left as is', { bucket: o.bucket, key: latestKey, latestTakenAt: takenAt, takenAt: record.takenAt });
  return true;
}

/**
 * Uploads the snapshot in one pass (read, hash against the sidecar, multipart upload with Content-MD5
 * per part), reads the stored object back and hashes it, points `latest` at it by server-side copy
 * and applies retention.
 * @throws AppError/S3Error; on any failure before the copy, `latest` is untouched
 */
export async function uploadSnapshot(client: S3Client, o: UploadOptions, log: Logger): Promise<{ key: string; bytes: number; sha256: string; deleted: string[] }> {
  const started = Date.now();
  const record = await readSnapshotRecord(o.file);
  await checkFileAgainstRecord(o.file, record);
  const key = snapshotKey(o.prefix, record.takenAt);
  log.info('upload starting', { bucket: o.bucket, key, bytes: record.bytes, sha256: record.sha256, latestKey: o.latestKey, retain: o.retain, partSize: o.partSize, queueSize: o.queueSize, sse: o.sse, storageClass: o.storageClass });
  await reclaimBuffersDuring(() => streamToS3(client, o, key, record, log));
  // the part pool is garbage now, but old enough that only a full collection returns its memory
  collectFinishedPhase();
  await reclaimBuffersDuring(() => readBackOrDelete(client, o, key, { bytes: record.bytes, sha256: record.sha256 }, log));
  if (o.latestKey) await updateLatest(client, o, key, o.latestKey, record, log);
  let deleted: string[] = [];
  if (o.retain > 0) {
    deleted = await applyRetention({ client, bucket: o.bucket, prefix: o.prefix, keep: o.retain, protect: [key], log, signal: o.signal });
    log.info('retention applied', { bucket: o.bucket, prefix: o.prefix, retain: o.retain, deletedCount: deleted.length });
  }
  log.info('done', { bucket: o.bucket, key, bytes: record.bytes, durationMs: Date.now() - started });
  return { key, bytes: record.bytes, sha256: record.sha256, deleted };
}
