import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type S3FaultProxy, type S3Server, startS3FaultProxy, startS3Server } from '../src/index';

const SECRET = 'proxy-test-secret-key';

function clientFor(proxy: S3FaultProxy, secretAccessKey = SECRET, maxAttempts = 1): S3Client {
  return new S3Client({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

describe('startS3FaultProxy', () => {
  let server: S3Server;
  let proxy: S3FaultProxy;
  const clients: S3Client[] = [];
  const client = (secret?: string, attempts?: number) => {
    const c = clientFor(proxy, secret, attempts);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['b'] });
    proxy = await startS3FaultProxy({ target: server.endpoint, secretAccessKey: SECRET });
  });
  afterEach(() => {
    proxy.rules.splice(0);
    proxy.options.rejectFlexibleChecksums = false;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await proxy?.close();
    await server?.close();
  });

  it('forwards a correctly signed multipart upload and names every operation it saw', async () => {
    const body = Buffer.alloc(11 * 1024 * 1024, 7);
    await new Upload({ client: client(), params: { Bucket: 'b', Key: 'dir/big key', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 1 }).done();
    const head = await client().send(new HeadObjectCommand({ Bucket: 'b', Key: 'dir/big key' }));
    expect(head.ContentLength).toBe(body.length);
    const ops = proxy.requests.map((r) => `${r.op}${r.partNumber ?? ''}:${r.status}`);
    expect(ops).toEqual(expect.arrayContaining(['CreateMultipartUpload:200', 'UploadPart1:200', 'UploadPart2:200', 'UploadPart3:200', 'CompleteMultipartUpload:200', 'HeadObject:200']));
    expect(proxy.requests.find((r) => r.op === 'HeadObject')).toMatchObject({ bucket: 'b', key: 'dir/big key' });
  });

  it('refuses a request signed with another secret key with 403 SignatureDoesNotMatch', async () => {
    const before = proxy.faultsInjected();
    await expect(client('wrong-secret').send(new PutObjectCommand({ Bucket: 'b', Key: 'x', Body: 'x' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(proxy.faultsInjected()).toBe(before + 1);
    expect(await server.listKeys('b', 'x')).toEqual([]);
  });

  it('answers a scripted error the given number of times, then forwards', async () => {
    proxy.rules.push({ op: 'PutObject', times: 1, action: { kind: 'error', status: 503, code: 'SlowDown' } });
    await expect(client().send(new PutObjectCommand({ Bucket: 'b', Key: 'slow', Body: 'x' }))).rejects.toMatchObject({ name: 'SlowDown' });
    await client().send(new PutObjectCommand({ Bucket: 'b', Key: 'slow', Body: 'x' }));
    expect(await server.listKeys('b', 'slow')).toEqual(['slow']);
  });

  it('resets the connection of a matching request', async () => {
    proxy.rules.push({ op: 'PutObject', times: 1, action: { kind: 'reset', afterBodyBytes: 10 } });
    await expect(client().send(new PutObjectCommand({ Bucket: 'b', Key: 'reset', Body: Buffer.alloc(100_000) }))).rejects.toThrow();
    expect(proxy.requests.at(-1)).toMatchObject({ op: 'PutObject', fault: 'reset', status: 0 });
  });

  it('in checksum-rejecting mode refuses flexible checksums and accepts plain requests', async () => {
    proxy.options.rejectFlexibleChecksums = true;
    const flexible = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET } });
    clients.push(flexible);
    await expect(flexible.send(new PutObjectCommand({ Bucket: 'b', Key: 'crc', Body: 'x' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    await client().send(new PutObjectCommand({ Bucket: 'b', Key: 'plain', Body: 'x' }));
    expect(await server.listKeys('b', 'crc')).toEqual([]);
  });

  it('answers AbortMultipartUpload itself (s3rver cannot) and reports uploads left neither completed nor aborted', async () => {
    const c = client();
    const aborted = await c.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: 'mp-aborted' }));
    const left = await c.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: 'mp-left' }));
    await c.send(new AbortMultipartUploadCommand({ Bucket: 'b', Key: 'mp-aborted', UploadId: aborted.UploadId }));
    expect(proxy.requests.at(-1)).toMatchObject({ op: 'AbortMultipartUpload', status: 204 });
    expect(proxy.pendingUploads()).toEqual([left.UploadId]);
  });
});
