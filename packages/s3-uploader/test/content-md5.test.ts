import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '@vault-raft-backup/common';
import { randomStream, type S3FaultProxy, type S3Server, startS3FaultProxy, startS3Server } from '@vault-raft-backup/testkit';
import { readBack } from '../src/stored-object';
import { uploadStream } from '../src/upload-stream';

const BUCKET = 'md5';
const MIB = 1024 * 1024;
const SIZE = 11 * MIB + 5;

async function sha256Of(size: number, seed: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of randomStream(size, seed)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('parts carry their Content-MD5 and the store checks them', () => {
  let server: S3Server;
  let proxy: S3FaultProxy;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    // s3rver 3.7.1 ignores Content-MD5; the proxy checks it as S3 does
    proxy = await startS3FaultProxy({ target: server.endpoint });
    client = createS3Client({ region: 'us-east-1', endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'WHEN_REQUIRED', connectTimeoutMs: 2000, socketTimeoutMs: 10_000, maxAttempts: 3, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
  });
  afterEach(() => proxy.rules.splice(0));
  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await server?.close();
  });

  const upload = async (key: string, seed: string, partSize = 5 * MIB) => {
    const sha256 = await sha256Of(SIZE, seed);
    await uploadStream({ client, bucket: BUCKET, key, body: randomStream(SIZE, seed), metadata: { sha256 }, partSize, queueSize: 2 });
    return sha256;
  };

  it('a part damaged on the way is refused with BadDigest and sent again; the object reads back with the bytes sent', async () => {
    proxy.rules.push({ op: 'UploadPart', partNumber: 2, times: 1, action: { kind: 'flip', at: 'transit' } });
    const seen = proxy.requests.length;
    const sha256 = await upload('once.snap', 'once');
    const part2 = proxy.requests.slice(seen).filter((r) => r.op === 'UploadPart' && r.partNumber === 2);
    expect(part2.map((r) => r.storeError ?? r.status)).toEqual(['BadDigest', 200]);
    await expect(readBack(client, BUCKET, 'once.snap', { bytes: SIZE, sha256 })).resolves.toBeUndefined();
  });

  it('a single-part upload (PutObject) is checked and resent the same way', async () => {
    proxy.rules.push({ op: 'PutObject', times: 1, action: { kind: 'flip', at: 'transit' } });
    const seen = proxy.requests.length;
    await upload('single.snap', 'single', 16 * MIB);
    expect(proxy.requests.slice(seen).filter((r) => r.op === 'PutObject').map((r) => r.storeError ?? r.status)).toEqual(['BadDigest', 200]);
  });

  it('a part damaged on every attempt fails the upload with S3_FAILED naming BadDigest, and the multipart upload is aborted', async () => {
    proxy.rules.push({ op: 'UploadPart', partNumber: 1, action: { kind: 'flip', at: 'transit' } });
    await expect(upload('always.snap', 'always')).rejects.toMatchObject({ code: 'S3_FAILED', message: expect.stringContaining('BadDigest') });
    expect(proxy.requests.filter((r) => r.op === 'UploadPart' && r.key === 'always.snap' && r.partNumber === 1).map((r) => r.storeError)).toEqual(['BadDigest', 'BadDigest', 'BadDigest']);
    expect(proxy.pendingUploads()).toEqual([]);
    expect(await server.listKeys(BUCKET, 'always')).toEqual([]);
  });
});
