import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, getObjectStream, headObject, toS3Error } from '../src/index';

/** How the store behind each key answers: at full speed, at a crawl, silently, or working with keep-alive spaces. */
type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const OBJECT = Buffer.alloc(256 * 1024, 7);
const every = (socket: Socket, ms: number, step: () => boolean) => {
  const timer = setInterval(() => {
    if (socket.destroyed || !step()) clearInterval(timer);
  }, ms);
  socket.once('close', () => clearInterval(timer));
};
/** Writes `data` raw to the connection, `bytes` every `ms`. */
const trickle = (socket: Socket, data: Buffer, bytes: number, ms: number) => {
  let at = 0;
  every(socket, ms, () => {
    socket.write(data.subarray(at, at + bytes));
    at += bytes;
    return at < data.length;
  });
};

const behaviours: Record<string, Behaviour> = {
  fast: (_req, res) => res.writeHead(200, { 'content-length': OBJECT.length, etag: '"e"' }).end(OBJECT),
  'crawling-body': (req) => {
    const head = `HTTP/1.1 200 OK\r\ncontent-length: ${OBJECT.length}\r\netag: "e"\r\n\r\n`;
    req.socket.write(head);
    trickle(req.socket, OBJECT, 100, 1000);
  },
  'crawling-head': (req) => trickle(req.socket, Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 1\r\nx-amz-meta-sha256: aaaa\r\n\r\n'), 1, 500),
  silent: () => {},
  'working-copy': (req) => {
    req.resume();
    req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ntransfer-encoding: chunked\r\n\r\n');
    let spaces = 0;
    every(req.socket, 500, () => {
      if (++spaces <= 6) {
        req.socket.write('1\r\n \r\n');
        return true;
      }
      const xml = '<CopyObjectResult><ETag>"e"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>';
      req.socket.write(`${Buffer.byteLength(xml).toString(16)}\r\n${xml}\r\n0\r\n\r\n`);
      return false;
    });
  },
};

describe('the speed floor of every S3 request', () => {
  let server: Server;
  let client: S3Client;
  const seen: { key: string; method: string; md5?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const key = (req.url ?? '').split('?')[0]?.split('/').slice(2).join('/') ?? '';
      seen.push({ key, method: req.method ?? '' });
      if (req.method === 'PUT' && req.headers['x-amz-copy-source'] === undefined) {
        const md5 = createHash('md5');
        req.on('data', (c: Buffer) => md5.update(c));
        req.on('end', () => {
          (seen.at(-1) as { md5?: string }).md5 = md5.digest('hex');
          res.writeHead(200, { etag: '"e"' }).end();
        });
        return;
      }
      (behaviours[key] ?? behaviours.fast)?.(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createS3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, checksumMode: 'WHEN_REQUIRED', connectTimeoutMs: 2000, socketTimeoutMs: 3000, speedFloor: { minBytesPerSecond: 1024, windowMs: 1000 }, maxAttempts: 2, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret' } });
  });
  afterAll(async () => {
    client?.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function drain(key: string): Promise<Buffer> {
    const obj = await getObjectStream(client, 'b', key);
    const chunks: Buffer[] = [];
    for await (const c of obj.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('a healthy GET and a 1 MiB PUT pass; the PUT body reaches the store byte for byte', async () => {
    expect(await drain('fast')).toEqual(OBJECT);
    const body = Buffer.alloc(1024 * 1024 + 3, 1);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'upload', Body: body }));
    expect(seen.filter((s) => s.key === 'upload').map((s) => s.md5)).toEqual([createHash('md5').update(body).digest('hex')]);
  });

  it('a GET body that crawls at 100 bytes/s ends with a TimeoutError naming the floor; toS3Error calls it S3_TIMEOUT', async () => {
    const err = await drain('crawling-body').then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/^S3 transfer below the speed floor while receiving the answer: \d+ bytes in the last 1s \(S3_TRANSFER_MIN_SPEED 1KiB\/s over S3_TRANSFER_SPEED_TIME 1s\)$/) });
    expect(toS3Error(err, 'GetObject', 'b', 'crawling-body')).toMatchObject({ code: 'S3_TIMEOUT', message: 'GetObject timed out for s3://b/crawling-body' });
  });

  it('a HEAD whose head crawls is ended by the floor and retried, then fails with S3_TIMEOUT', async () => {
    const before = seen.filter((s) => s.key === 'crawling-head').length;
    await expect(headObject(client, 'b', 'crawling-head')).rejects.toMatchObject({ code: 'S3_TIMEOUT', cause: expect.objectContaining({ message: expect.stringContaining('speed floor') }) });
    expect(seen.filter((s) => s.key === 'crawling-head').length - before).toBe(2);
  });

  it('a store that never answers is left to S3_SOCKET_TIMEOUT, not the floor', async () => {
    const err = await headObject(client, 'b', 'silent').then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'S3_TIMEOUT', cause: expect.objectContaining({ message: expect.stringContaining('timed out after 3000 ms of inactivity') }) });
  });

  it('a CopyObject the store works on, sending only keep-alive spaces for longer than the window, completes', async () => {
    const out = await client.send(new CopyObjectCommand({ Bucket: 'b', Key: 'working-copy', CopySource: 'b/fast' }));
    expect(out.CopyObjectResult?.ETag).toBe('"e"');
  });
});
