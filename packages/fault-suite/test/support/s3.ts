import { createHash } from 'node:crypto';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomStream, type S3FaultProxy, type S3Server, snapshotArchiveStream } from '@vault-raft-backup/testkit';
import type { FaultCase } from './ledger';

export const BUCKET = 'backups';
export const OLD_LATEST = Buffer.from('the previous good snapshot that latest points at');

/** A snapshot file with its sidecar, as snapshot-taker leaves it. */
export interface SnapshotFile {
  file: string;
  sha256: string;
  bytes: number;
  takenAt: string;
}

/** Writes a valid archive with `stateSize` incompressible bytes and its sidecar. */
export async function writeSnapshotFile(dir: string, name: string, stateSize: number, takenAt: string): Promise<SnapshotFile> {
  const file = join(dir, name);
  const hash = createHash('sha256');
  let bytes = 0;
  const archive = snapshotArchiveStream({ meta: { index: 42, term: 3 }, state: { size: stateSize, stream: () => randomStream(stateSize, `${name}${takenAt}`) } });
  archive.on('data', (c: Buffer) => {
    hash.update(c);
    bytes += c.length;
  });
  await pipeline(archive, createWriteStream(file));
  const sha256 = hash.digest('hex');
  writeSidecar(file, { sha256, bytes, takenAt });
  return { file, sha256, bytes, takenAt };
}

/** Writes `<file>.json` as snapshot-taker does. */
export function writeSidecar(file: string, r: { sha256: string; bytes: number; takenAt: string }): void {
  const record = { sha256: r.sha256, bytes: r.bytes, index: 42, term: 3, takenAt: r.takenAt, source: 'http://vault-active:8200' };
  writeFileSync(`${file}.json`, `${JSON.stringify(record, null, 2)}\n`);
}

/** Writes arbitrary bytes as a snapshot with a sidecar that matches them, so only the archive check can refuse them. */
export function writeRawSnapshot(dir: string, name: string, data: Buffer, takenAt: string): SnapshotFile {
  const file = join(dir, name);
  writeFileSync(file, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  writeSidecar(file, { sha256, bytes: data.length, takenAt });
  return { file, sha256, bytes: data.length, takenAt };
}

/** sha256 of an object's bytes, or `missing`. */
export async function objectSha(client: S3Client, key: string): Promise<string> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  } catch {
    return 'missing';
  }
}

/** Puts the "previous latest" under a prefix. */
export async function putOldLatest(client: S3Client, prefix: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}latestbackup.snap`, Body: OLD_LATEST }));
}

/** Checks that only the previous `latest` is under the prefix, byte-identical. */
export async function expectOnlyOldLatest(f: FaultCase, server: S3Server, client: S3Client, prefix: string): Promise<void> {
  const keys = await server.listKeys(BUCKET, prefix);
  f.intact(`no new object under ${prefix} (found ${keys.join(', ')})`, keys.length === 1 && keys[0] === `${prefix}latestbackup.snap`);
  f.intact('latest untouched', (await objectSha(client, `${prefix}latestbackup.snap`)) === createHash('sha256').update(OLD_LATEST).digest('hex'));
}

/** The uploader's environment through the proxy. */
export function uploaderEnv(server: S3Server, proxy: S3FaultProxy, secret: string, extra: Record<string, string>): Record<string, string> {
  return { ...server.env(), AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_SECRET_ACCESS_KEY: secret, S3_BUCKET: BUCKET, S3_PART_SIZE: '5MiB', ...extra };
}
