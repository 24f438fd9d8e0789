import { type S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { getObjectStream, headObject, S3Error } from '../src/index';

const BUCKET = 'download';

describe('GetObject and HeadObject against a real S3-protocol server', () => {
  let server: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('streams the body with its size and metadata; HeadObject gives the same facts', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/obj.snap', Body: 'payload', Metadata: { sha256: 'f'.repeat(64) } }));
    const obj = await getObjectStream(client, BUCKET, 'dir/obj.snap');
    const chunks: Buffer[] = [];
    for await (const c of obj.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('payload');
    expect(obj).toMatchObject({ bytes: 7, metadata: { sha256: 'f'.repeat(64) } });
    expect(await headObject(client, BUCKET, 'dir/obj.snap')).toMatchObject({ ContentLength: 7, Metadata: { sha256: 'f'.repeat(64) } });
  });

  it('when the object is missing, GetObject fails with S3_NOT_FOUND naming bucket and key', async () => {
    const get = getObjectStream(client, BUCKET, 'nope/missing.snap');
    await expect(get).rejects.toBeInstanceOf(S3Error);
    await expect(getObjectStream(client, BUCKET, 'nope/missing.snap')).rejects.toMatchObject({ code: 'S3_NOT_FOUND', message: expect.stringContaining('s3://download/nope/missing.snap') });
  });

  it('when the bucket is missing, the message says which bucket does not exist', async () => {
    await expect(getObjectStream(client, 'no-such-bucket', 'k')).rejects.toMatchObject({ code: 'S3_NOT_FOUND', message: expect.stringContaining('bucket no-such-bucket does not exist') });
  });
});
