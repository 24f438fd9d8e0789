import type { S3Client } from '@aws-sdk/client-s3';
import { headObject, listSnapshotObjects, S3Error, type SnapshotObject } from '@vault-raft-backup/common';

export interface ListOptions {
  bucket: string;
  prefix: string;
  /** Key of `latest`, to mark which timestamped snapshot it equals. */
  latestKey: string;
  format: 'table' | 'json';
  signal?: AbortSignal | undefined;
}

interface Row extends SnapshotObject {
  latest: boolean;
}

async function latestIdentity(client: S3Client, o: ListOptions): Promise<{ bytes: number; sha256: string } | undefined> {
  try {
    const head = await headObject(client, o.bucket, o.latestKey, o.signal);
    const sha256 = head.Metadata?.sha256;
    return sha256 && head.ContentLength !== undefined ? { bytes: head.ContentLength, sha256 } : undefined;
  } catch (err) {
    if (err instanceof S3Error && err.code === 'S3_NOT_FOUND') return undefined;
    throw err;
  }
}

/** The timestamped snapshots under the prefix, newest first, each marked when `latest` holds the same bytes (same sha256 metadata). @throws S3Error */
export async function listSnapshots(client: S3Client, o: ListOptions): Promise<Row[]> {
  const objects = await listSnapshotObjects(client, o.bucket, o.prefix, o.signal);
  const latest = await latestIdentity(client, o);
  const rows: Row[] = [];
  let found = false;
  for (const obj of objects) {
    // only objects of the same size can match; HEAD those until the first match
    const same: boolean = !found && latest !== undefined && obj.bytes === latest.bytes && (await headObject(client, o.bucket, obj.key, o.signal)).Metadata?.sha256 === latest.sha256;
    found ||= same;
    rows.push({ ...obj, latest: same });
  }
  return rows;
}

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** Renders the rows as an aligned table or as JSON lines. */
export function renderList(rows: Row[], format: 'table' | 'json'): string {
  if (format === 'json') return rows.map((r) => `${JSON.stringify({ key: r.key, bytes: r.bytes, takenAt: r.takenAt, lastModified: r.lastModified?.toISOString(), latest: r.latest })}\n`).join('');
  const table = [['KEY', 'SIZE', 'TAKEN AT (UTC)', 'LATEST'], ...rows.map((r) => [r.key, human(r.bytes), r.takenAt, r.latest ? 'latest' : ''])];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const lines = table.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ').trimEnd());
  if (rows.length === 0) lines.push('(no snapshots)');
  return `${lines.join('\n')}\n`;
}
