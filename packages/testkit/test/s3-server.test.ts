import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { startS3Server, type S3Server } from '../src/index';

describe('startS3Server', () => {
  let server: S3Server;

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['alpha', 'beta'] });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('listens on 127.0.0.1 and hands out the AWS SDK environment', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.env()).toEqual({
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('creates the requested buckets and stores, copies and returns objects byte for byte', async () => {
    const client = server.client();
    await client.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'a/one', Body: 'hello', Metadata: { sha256: 'x' } }));
    await client.send(new CopyObjectCommand({ Bucket: 'beta', Key: 'copy', CopySource: 'alpha/a/one' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'beta', Key: 'copy' }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'beta', Key: 'copy' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(head.Metadata?.sha256).toBe('x');
  });

  it('lists more keys than one page holds (continuation tokens work)', async () => {
    const client = server.client();
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: 'alpha', Key, Body: 'x' }))));
    }
    expect(await server.listKeys('alpha', 'many/')).toEqual(keys);
    await client.send(new DeleteObjectsCommand({ Bucket: 'alpha', Delete: { Objects: keys.slice(0, 1000).map((Key) => ({ Key })) } }));
    expect(await server.listKeys('alpha', 'many/')).toEqual(keys.slice(1000));
  });

  it('refuses an unknown access key', async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const stranger = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'NOPE', secretAccessKey: 'x' } });
    await expect(stranger.send(new HeadObjectCommand({ Bucket: 'alpha', Key: 'a/one' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    stranger.destroy();
  });
});

describe('S3Server.close', () => {
  it('stops the server and removes its data directory', async () => {
    const server = await startS3Server();
    const dir = server.dir;
    await server.close();
    expect(existsSync(dir)).toBe(false);
    await expect(fetch(server.endpoint)).rejects.toThrow();
  });
});
