import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createS3Client, S3Error, snapshotKey } from '@vault-raft-backup/common';
import { applyRetention } from '../src/retention';

/** How the store pages: the same token forever, or "truncated" without a token. */
type Paging = 'loop' | 'no-token';

/** A ListObjectsV2 endpoint on 127.0.0.1 that never ends its listing; counts the pages it served and any other request. */
async function hostileStore(paging: Paging): Promise<{ endpoint: string; pages: () => number; deletes: () => number; close: () => Promise<void> }> {
  let pages = 0;
  let deletes = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') deletes++;
    else pages++;
    const key = snapshotKey('p/', new Date(Date.UTC(2026, 0, 1) + pages * 1000));
    const token = paging === 'no-token' ? '' : '<NextContinuationToken>same</NextContinuationToken>';
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>${token}<Contents><Key>${key}</Key><Size>1</Size><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/xml' }).end(req.method === 'GET' ? xml : undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages: () => pages,
    deletes: () => deletes,
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

describe('retention against a store that pages without end', () => {
  it('"truncated" without a token fails the listing: retention deletes nothing', async () => {
    const store = await hostileStore('no-token');
    try {
      const err = await failure(applyRetention({ client: clientFor(store.endpoint), bucket: 'b', prefix: 'p/', keep: 1, protect: [] }));
      expect(err).toMatchObject({ code: 'S3_FAILED', message: expect.stringContaining('truncated but gives no continuation token') });
      expect(store.pages()).toBe(1);
      expect(store.deletes()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('retention refuses a prefix with ".." segments before any request', async () => {
    const store = await hostileStore('loop');
    try {
      const err = await failure(applyRetention({ client: clientFor(store.endpoint), bucket: 'b', prefix: '../other/', keep: 1, protect: [] }));
      expect(err.message).toBe('retention refused: the prefix must not contain "." or ".." segments');
      expect(store.pages()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
