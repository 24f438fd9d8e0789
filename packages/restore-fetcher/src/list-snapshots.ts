import type { S3Client } from '@aws-sdk/client-s3';
import { headObject, listSnapshotObjects, objectFactsOf, S3Error, type SnapshotObject, type SourceVault } from '@vault-raft-backup/common';

export interface ListOptions {
  bucket: string;
  prefix: string;
  /** Key of `latest`, to mark which timestamped snapshot it equals; undefined when there is none (S3_LATEST_KEY set empty). */
  latestKey: string | undefined;
  format: 'table' | 'json';
  signal?: AbortSignal | undefined;
}

interface Row extends SnapshotObject {
  latest: boolean;
  /** The source Vault's seal facts from the object's metadata; undefined for objects written before they were recorded. */
  vault: SourceVault | undefined;
}

/** HEADs in flight at once: ListObjectsV2 returns no metadata, so every listed object is asked. */
const HEAD_CONCURRENCY = 4;

/** The size and user metadata of an object; undefined when it is gone. @throws S3Error other than not found */
async function metadataOf(client: S3Client, o: ListOptions, key: string): Promise<{ bytes: number | undefined; metadata: Record<string, string> } | undefined> {
  try {
    const head = await headObject(client, o.bucket, key, o.signal);
    return { bytes: head.ContentLength, metadata: head.Metadata ?? {} };
  } catch (err) {
    // deleted between the listing and the HEAD (retention of a concurrent backup): shown without facts
    if (err instanceof S3Error && err.code === 'S3_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the order of `items`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (err) {
        failed = true; // the others stop taking items: the listing fails as a whole
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The timestamped snapshots under the prefix, newest first, each with the seal facts of its metadata,
 * the newest one marked when `latest` holds the same bytes (same size and sha256 metadata). @throws S3Error
 */
export async function listSnapshots(client: S3Client, o: ListOptions): Promise<Row[]> {
  const objects = await listSnapshotObjects(client, o.bucket, o.prefix, o.signal);
  const latest = o.latestKey === undefined ? undefined : await metadataOf(client, o, o.latestKey);
  const latestSha = objectFactsOf(latest?.metadata).sha256;
  const heads = await mapLimited(objects, HEAD_CONCURRENCY, (obj) => metadataOf(client, o, obj.key));
  let found = false;
  return objects.map((obj, i) => {
    const facts = objectFactsOf(heads[i]?.metadata);
    const same = !found && latestSha !== undefined && obj.bytes === latest?.bytes && facts.sha256 === latestSha;
    found ||= same;
    return { ...obj, latest: same, vault: facts.vault };
  });
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

function jsonLine(r: Row): string {
  return `${JSON.stringify({ key: r.key, bytes: r.bytes, takenAt: r.takenAt, lastModified: r.lastModified?.toISOString(), latest: r.latest, vault: r.vault ?? null })}\n`;
}

/** Renders the rows as an aligned table or as JSON lines; `-` where a fact is unknown. */
export function renderList(rows: Row[], format: 'table' | 'json'): string {
  if (format === 'json') return rows.map(jsonLine).join('');
  const cells = (r: Row) => [r.key, human(r.bytes), r.takenAt, r.vault?.sealType ?? '-', r.vault ? `${r.vault.threshold}/${r.vault.shares}` : '-', r.vault?.version ?? '-', r.latest ? 'latest' : ''];
  const table = [['KEY', 'SIZE', 'TAKEN AT (UTC)', 'SEAL', 'T/N', 'VERSION', 'LATEST'], ...rows.map(cells)];
  const last = (table[0]?.length ?? 1) - 1;
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = table.map((row) => row.map((cell, i) => (i < last ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ').trimEnd());
  if (rows.length === 0) lines.push('(no snapshots)');
  return `${lines.join('\n')}\n`;
}
