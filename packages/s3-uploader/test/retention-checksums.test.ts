import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type S3FaultProxy, type S3Server, startS3FaultProxy, startS3Server } from '@vault-raft-backup/testkit';
import { snapshotKey } from '@vault-raft-backup/common';
import { applyRetention } from '../src/retention';

const BUCKET = 'retention';

describe('retention against a store that refuses flexible checksums', () => {
  let server: S3Server;
  let proxy: S3FaultProxy;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    proxy = await startS3FaultProxy({ target: server.endpoint, rejectFlexibleChecksums: true });
    // the client an entrypoint builds: checksums only when required
    client = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  });

  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await server?.close();
  });

  it('deletes with Content-MD5 instead of a CRC32 checksum, so the store accepts DeleteObjects', async () => {
    const keys = ['2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z'].map((t) => snapshotKey('p/', t));
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));
    const deleted = await applyRetention({ client, bucket: BUCKET, prefix: 'p/', keep: 1, protect: [] });
    expect(deleted.sort()).toEqual([keys[0], keys[1]]);
    expect(proxy.requests.filter((r) => r.op === 'DeleteObjects').map((r) => r.status)).toEqual([200]);
    expect(await server.listKeys(BUCKET, 'p/')).toEqual([keys[2]]);
  });
});
