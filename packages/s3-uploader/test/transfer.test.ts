import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomStream, type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { AppError, getObjectStream, headObject } from '@vault-raft-backup/common';
import { copyObject } from '../src/copy-object';
import { readBack, verifyStoredObject } from '../src/stored-object';
import { uploadStream } from '../src/upload-stream';

const BUCKET = 'transfer';
const MIB = 1024 * 1024;

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function storedSha(client: S3Client, key: string): Promise<string> {
  return sha256Of((await getObjectStream(client, BUCKET, key)).body);
}

function failingStream(goodBytes: number, error: Error): Readable {
  const out = new PassThrough();
  const src = randomStream(goodBytes, 'fail');
  src.on('end', () => out.destroy(error));
  src.pipe(out, { end: false });
  return out;
}

describe('S3 transfers against a real S3-protocol server', () => {
  let server: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('uploads a body smaller than one part with one request, and the stored object reads back', async () => {
    const expected = await sha256Of(randomStream(300_000, 'small'));
    const result = await uploadStream({ client, bucket: BUCKET, key: 'small.snap', body: randomStream(300_000, 'small'), metadata: { sha256: expected }, partSize: 5 * MIB, queueSize: 2 });
    expect(result.bytes).toBe(300_000);
    await readBack(client, BUCKET, 'small.snap', { bytes: 300_000, sha256: expected });
    expect(await storedSha(client, 'small.snap')).toBe(expected);
  });

  it('uploads a body larger than the part size in parts, byte for byte', async () => {
    const size = 12 * MIB + 123;
    const expected = await sha256Of(randomStream(size, 'big'));
    const progress: number[] = [];
    const result = await uploadStream({
      client,
      bucket: BUCKET,
      key: 'big.snap',
      body: randomStream(size, 'big'),
      metadata: { sha256: expected },
      partSize: 5 * MIB,
      queueSize: 2,
      onProgress: (n) => progress.push(n),
    });
    const readProgress: number[] = [];
    await readBack(client, BUCKET, 'big.snap', { bytes: size, sha256: expected }, { onProgress: (n) => readProgress.push(n) });
    expect(await storedSha(client, 'big.snap')).toBe(expected);
    expect({ bytes: result.bytes, uploaded: progress.at(-1), readBack: readProgress.at(-1) }).toEqual({ bytes: size, uploaded: size, readBack: size });
  });

  it('when the body fails half way, the upload rejects with that error and stores nothing', async () => {
    const boom = new AppError('SNAPSHOT_INVALID', 'archive is corrupt');
    const upload = uploadStream({ client, bucket: BUCKET, key: 'broken.snap', body: failingStream(11 * MIB, boom), metadata: {}, partSize: 5 * MIB, queueSize: 2 });
    await expect(upload).rejects.toBe(boom);
    expect(await server.listKeys(BUCKET, 'broken')).toEqual([]);
  });

  it('when the check before the end throws, a single-part upload stores nothing either', async () => {
    const veto = async () => {
      throw new AppError('S3_VERIFY_FAILED', 'sha256 differs from the sidecar');
    };
    const upload = uploadStream({ client, bucket: BUCKET, key: 'vetoed.snap', body: randomStream(1000), metadata: {}, partSize: 5 * MIB, queueSize: 1, beforeEnd: veto });
    await expect(upload).rejects.toMatchObject({ code: 'S3_VERIFY_FAILED' });
    expect(await server.listKeys(BUCKET, 'vetoed')).toEqual([]);
  });

  it('when the bucket is missing, a multipart upload fails with S3_NOT_FOUND and leaves nothing', async () => {
    const upload = uploadStream({ client, bucket: 'missing-bucket', key: 'k.snap', body: randomStream(11 * MIB), metadata: {}, partSize: 5 * MIB, queueSize: 2 });
    await expect(upload).rejects.toMatchObject({ code: 'S3_NOT_FOUND', message: expect.stringContaining('bucket missing-bucket does not exist') });
  });

  it('the read-back detects a stored object whose bytes differ although size and metadata match', async () => {
    const expected = await sha256Of(randomStream(4096, 'orig'));
    await uploadStream({ client, bucket: BUCKET, key: 'swapped.snap', body: randomStream(4096, 'orig'), metadata: { sha256: expected }, partSize: 5 * MIB, queueSize: 1 });
    const otherBody = Buffer.from((await sha256Of(randomStream(4096, 'other'))).repeat(64)).subarray(0, 4096);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swapped.snap', Body: otherBody, Metadata: { sha256: expected } }));
    await expect(verifyStoredObject(client, BUCKET, 'swapped.snap', { bytes: 4096, sha256: expected })).resolves.toBeDefined();
    const read = readBack(client, BUCKET, 'swapped.snap', { bytes: 4096, sha256: expected });
    await expect(read).rejects.toMatchObject({ code: 'S3_VERIFY_FAILED', message: expect.stringMatching(/s3:\/\/transfer\/swapped\.snap.*the bytes read back have sha256/) });
  });

  it('the read-back and the HEAD check report a wrong size and a missing sha256 metadata', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'nometa.snap', Body: 'abc' }));
    const problems = /size 3 bytes, expected 4; sha256 metadata \(missing\)/;
    await expect(verifyStoredObject(client, BUCKET, 'nometa.snap', { bytes: 4, sha256: 'a'.repeat(64) })).rejects.toThrow(problems);
    await expect(readBack(client, BUCKET, 'nometa.snap', { bytes: 4, sha256: 'a'.repeat(64) })).rejects.toThrow(problems);
  });

  it('copies an object server-side with its metadata', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/src.snap', Body: 'payload', Metadata: { sha256: 'f'.repeat(64) } }));
    const out = await copyObject({ client, bucket: BUCKET, sourceKey: 'dir/src.snap', destKey: 'dir/latest.snap', bytes: 7, metadata: { sha256: 'f'.repeat(64) } });
    expect(out.multipart).toBe(false);
    expect((await headObject(client, BUCKET, 'dir/latest.snap')).Metadata?.sha256).toBe('f'.repeat(64));
  });

  it('copies part by part above the threshold, byte for byte and with the metadata', async () => {
    const size = 11 * MIB + 7;
    const sha = await sha256Of(randomStream(size, 'copy'));
    await uploadStream({ client, bucket: BUCKET, key: 'mp-src.snap', body: randomStream(size, 'copy'), metadata: { sha256: sha }, partSize: 5 * MIB, queueSize: 2 });
    const out = await copyObject({ client, bucket: BUCKET, sourceKey: 'mp-src.snap', destKey: 'mp-dest.snap', bytes: size, metadata: { sha256: sha }, multipartThreshold: MIB, copyPartSize: 5 * MIB });
    expect(out.multipart).toBe(true);
    await verifyStoredObject(client, BUCKET, 'mp-dest.snap', { bytes: size, sha256: sha });
    expect(await storedSha(client, 'mp-dest.snap')).toBe(sha);
  });
});
