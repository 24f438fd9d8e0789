import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createS3Client, listSnapshotObjects, S3Error, snapshotKey } from '../src/index';

/** How the store pages: the same token forever, a fresh token forever, or "truncated" without a token. */
type Paging = 'loop' | 'endless' | 'no-token';

/** A ListObjectsV2 endpoint on 127.0.0.1 that never ends its listing; counts the pages it served. */
async function hostileStore(paging: Paging): Promise<{ endpoint: string; pages: () => number; close: () => Promise<void> }> {
  let pages = 0;
  const server: Server = createServer((req, res) => {
    pages++;
    const key = snapshotKey('p/', new Date(Date.UTC(2026, 0, 1) + pages * 1000));
    const token = paging === 'no-token' ? '' : `<NextContinuationToken>${paging === 'loop' ? 'same' : `t${pages}`}</NextContinuationToken>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>${token}<Contents><Key>${key}</Key><Size>1</Size><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/xml' }).end(req.method === 'GET' ? xml : undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages: () => pages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const clientFor = (endpoint: string) =>
  createS3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, checksumMode: 'WHEN_REQUIRED', connectTimeoutMs: 2000, socketTimeoutMs: 2000, maxAttempts: 1, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret' } });

async function failure(promise: Promise<unknown>): Promise<S3Error> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof S3Error)) throw new Error(`expected an S3Error, got ${String(err)}`);
  return err;
}

describe('a store that pages without end', () => {
  it('a continuation token given twice is an S3Error after the second page, not a loop', async () => {
    const store = await hostileStore('loop');
    try {
      const err = await failure(listSnapshotObjects(clientFor(store.endpoint), 'b', 'p/'));
      expect(err).toMatchObject({ code: 'S3_FAILED', bucket: 'b', key: 'p/' });
      expect(err.message).toBe('ListObjectsV2 of s3://b/p/ failed: the store returned a continuation token it had already returned, after 2 page(s): it pages in a loop');
      expect(store.pages()).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('fresh tokens past the page bound are an S3Error at the bound', async () => {
    const store = await hostileStore('endless');
    try {
      const err = await failure(listSnapshotObjects(clientFor(store.endpoint), 'b', 'p/', undefined, 25));
      expect(err.message).toBe('ListObjectsV2 of s3://b/p/ failed: still truncated after 25 pages: refusing to page further');
      expect(store.pages()).toBe(25);
    } finally {
      await store.close();
    }
  });

  it('"truncated" without a token is an S3Error, not a short list', async () => {
    const store = await hostileStore('no-token');
    try {
      const client = clientFor(store.endpoint);
      expect((await failure(listSnapshotObjects(client, 'b', 'p/'))).message).toContain('truncated but gives no continuation token');
      expect(store.pages()).toBe(1);
    } finally {
      await store.close();
    }
  });
});
