import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { snapshotKeyPattern, timeOfSnapshotKey } from '../contracts/keys';
import { S3Error } from '../errors';
import { s3Url, toS3Error } from './errors';

/**
 * Pages one listing may take before it is refused: 10 000 pages of up to 1000 keys are 10 million
 * keys, three orders of magnitude above a backup prefix (hourly snapshots for a year are 8760 keys,
 * 9 pages). Only a store that pages without end reaches it, after minutes instead of never.
 */
export const MAX_LIST_PAGES = 10_000;

/** A timestamped snapshot object found under a prefix. */
export interface SnapshotObject {
  key: string;
  bytes: number;
  /** When the snapshot was taken, from its key (ISO, UTC). */
  takenAt: string;
  lastModified: Date | undefined;
  etag: string | undefined;
}

/**
 * The continuation token of the next page, or undefined after the last one. A store that pages
 * in a loop (a token it already gave), without end, or says "truncated" without a token would
 * make a listing run forever or end early (retention would then judge an incomplete list).
 * @throws S3Error S3_FAILED
 */
function nextToken(page: ListObjectsV2CommandOutput, seen: Set<string>, pages: number, maxPages: number, bucket: string, prefix: string): string | undefined {
  if (!page.IsTruncated) return undefined;
  const fail = (problem: string) => new S3Error('S3_FAILED', `ListObjectsV2 of ${s3Url(bucket, prefix)} failed: ${problem}`, { bucket, key: prefix });
  const token = page.NextContinuationToken;
  if (token === undefined || token === '') throw fail('the store says the listing is truncated but gives no continuation token');
  if (seen.has(token)) throw fail(`the store returned a continuation token it had already returned, after ${pages} page(s): it pages in a loop`);
  if (pages >= maxPages) throw fail(`still truncated after ${maxPages} pages: refusing to page further`);
  seen.add(token);
  return token;
}

/**
 * Every timestamped snapshot directly under `prefix`, newest first (following continuation
 * tokens, at most `maxPages` pages). Other names, and keys in deeper folders, are ignored.
 * @throws S3Error, also when the store pages in a loop or without end
 */
export async function listSnapshotObjects(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal, maxPages = MAX_LIST_PAGES): Promise<SnapshotObject[]> {
  const pattern = snapshotKeyPattern(prefix);
  const found: SnapshotObject[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    } catch (err) {
      throw toS3Error(err, 'ListObjectsV2', bucket, prefix);
    }
    pages++;
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || !pattern.test(o.Key)) continue;
      const takenAt = timeOfSnapshotKey(prefix, o.Key);
      if (takenAt) found.push({ key: o.Key, bytes: o.Size ?? 0, takenAt, lastModified: o.LastModified, etag: o.ETag?.replace(/"/g, '') });
    }
    token = nextToken(page, seen, pages, maxPages, bucket, prefix);
  } while (token);
  // the timestamp format sorts lexically in time order
  return found.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}
