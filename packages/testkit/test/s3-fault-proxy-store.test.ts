import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { type S3FaultProxy, type S3Server, startS3FaultProxy, startS3Server } from '../src/index';

const MIB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function bytesOf(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('startS3FaultProxy as a store that checks, keeps and describes bytes', () => {
  let server: S3Server;
  let proxy: S3FaultProxy;
  let client: S3Client;
  let direct: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['b'] });
    proxy = await startS3FaultProxy({ target: server.endpoint });
    client = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    direct = server.client();
  });
  afterEach(() => {
    proxy.rules.splice(0);
    proxy.options.verifyContentMd5 = undefined;
    proxy.options.sse = undefined;
    proxy.options.opaqueEtags = undefined;
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await server?.close();
  });

  const stored = async (key: string) => bytesOf((await direct.send(new GetObjectCommand({ Bucket: 'b', Key: key }))).Body);

  it('s3rver 3.7.1 itself stores a body whose Content-MD5 does not match; the proxy refuses it with 400 BadDigest, as S3 does', async () => {
    const body = Buffer.from('the bytes that were sent');
    const wrong = md5(Buffer.from('other bytes')).toString('base64');
    proxy.options.verifyContentMd5 = false;
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'unchecked', Body: body, ContentMD5: wrong }));
    expect(await stored('unchecked')).toEqual(body);
    proxy.options.verifyContentMd5 = true;
    await expect(client.send(new PutObjectCommand({ Bucket: 'b', Key: 'checked', Body: body, ContentMD5: wrong }))).rejects.toMatchObject({ name: 'BadDigest' });
    expect(await server.listKeys('b', 'checked')).toEqual([]);
    expect(proxy.requests.at(-1)).toMatchObject({ op: 'PutObject', status: 400, storeError: 'BadDigest' });
  });

  it('gives a multipart object the ETag S3 gives it (MD5 of the part MD5s, -parts), where s3rver 3.7.1 gives the MD5 of the whole body', async () => {
    const parts = [Buffer.alloc(5 * MIB, 7), Buffer.alloc(100, 8)];
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: 'mp' }));
    const done = [];
    for (const [i, Body] of parts.entries()) done.push({ PartNumber: i + 1, ETag: (await client.send(new UploadPartCommand({ Bucket: 'b', Key: 'mp', UploadId, PartNumber: i + 1, Body }))).ETag });
    const complete = await client.send(new CompleteMultipartUploadCommand({ Bucket: 'b', Key: 'mp', UploadId, MultipartUpload: { Parts: done } }));
    const s3Style = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-2"`;
    expect(complete.ETag).toBe(s3Style);
    expect((await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'mp' }))).ETag).toBe(s3Style);
    expect((await direct.send(new HeadObjectCommand({ Bucket: 'b', Key: 'mp' }))).ETag).toBe(`"${md5(Buffer.concat(parts)).toString('hex')}"`);
  });

  it('a bit flipped in transit is refused by the Content-MD5 check, and stored when the client sent none', async () => {
    const body = Buffer.alloc(4096, 5);
    proxy.rules.push({ op: 'PutObject', times: 2, action: { kind: 'flip', at: 'transit' } });
    await expect(client.send(new PutObjectCommand({ Bucket: 'b', Key: 'transit', Body: body, ContentMD5: md5(body).toString('base64') }))).rejects.toMatchObject({ name: 'BadDigest' });
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'transit', Body: body }));
    const kept = await stored('transit');
    expect(kept.length).toBe(body.length);
    expect(kept.equals(body)).toBe(false);
  });

  it('a bit flipped at rest: the store acknowledges the parts it received, by their ETags, and serves other bytes', async () => {
    const parts = [Buffer.alloc(5 * MIB, 1), Buffer.alloc(MIB, 2)];
    proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'flip', at: 'rest' } });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: 'rest' }));
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const out = await client.send(new UploadPartCommand({ Bucket: 'b', Key: 'rest', UploadId, PartNumber: i + 1, Body: part, ContentMD5: md5(part).toString('base64') }));
      etags.push(out.ETag ?? '');
    }
    expect(etags).toEqual(parts.map((p) => `"${md5(p).toString('hex')}"`));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'b', Key: 'rest', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const expected = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-2"`;
    expect((await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'rest' }))).ETag).toBe(expected);
    expect(sha(await stored('rest'))).not.toBe(sha(Buffer.concat(parts)));
  });

  it('a bit flipped on read: GetObject serves the object with one bit changed; the store keeps it intact', async () => {
    const body = Buffer.alloc(10_000, 9);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'read', Body: body }));
    proxy.rules.push({ op: 'GetObject', times: 1, action: { kind: 'flip', at: 'read', offset: 123 } });
    const read = await bytesOf((await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'read' }))).Body);
    expect(read.length).toBe(body.length);
    expect([...read].flatMap((v, i) => (v === body[i] ? [] : [i]))).toEqual([123]);
    expect(await stored('read')).toEqual(body);
  });

  it('as a bucket with SSE-KMS, it names the encryption and gives ETags that are not the MD5, the same one for HEAD and GET', async () => {
    proxy.options.sse = 'aws:kms';
    const body = Buffer.from('encrypted at rest');
    const put = await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'kms', Body: body }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'kms' }));
    const get = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'kms' }));
    await bytesOf(get.Body);
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms' });
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', ETag: put.ETag });
    expect(get.ETag).toBe(put.ETag);
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.ETag).not.toBe(`"${md5(body).toString('hex')}"`);
  });

  it('a crawling response sends even its status line byte by byte', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'crawl', Body: 'x' }));
    proxy.rules.push({ op: 'HeadObject', times: 1, action: { kind: 'crawl', side: 'response', bytesPerSecond: 5 } });
    const url = new URL(`${proxy.endpoint}/b/crawl`);
    const received: Buffer[] = [];
    const req = request({ host: url.hostname, port: url.port, method: 'HEAD', path: url.pathname, headers: { authorization: 'AWS S3RVER:x' } });
    req.on('socket', (s) => s.on('data', (d: Buffer) => received.push(d)));
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 1500));
    req.destroy();
    const text = Buffer.concat(received).toString('latin1');
    expect('HTTP/1.1 200 OK\r\n'.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan('HTTP/1.1 200 OK\r\n'.length);
  });

  it('a request body read slowly still arrives whole', async () => {
    const body = Buffer.alloc(20_000, 4);
    proxy.rules.push({ op: 'PutObject', times: 1, action: { kind: 'crawl', side: 'request', bytesPerSecond: 50_000 } });
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'slow-in', Body: body }));
    expect(await stored('slow-in')).toEqual(body);
    expect(proxy.requests.at(-1)).toMatchObject({ op: 'PutObject', fault: 'crawl', status: 200 });
  });

  it('an endless answer has no Content-Length and goes on past the size of the object', async () => {
    const body = Buffer.alloc(1000, 3);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'endless', Body: body }));
    proxy.rules.push({ op: 'GetObject', times: 1, action: { kind: 'endless' } });
    const get = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'endless' }));
    expect(get.ContentLength).toBeUndefined();
    let seen = 0;
    for await (const c of get.Body as AsyncIterable<Uint8Array>) {
      seen += c.length;
      if (seen > 10 * body.length) break;
    }
    expect(seen).toBeGreaterThan(10 * body.length);
  });
});
