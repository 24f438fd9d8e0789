import { createServer as createHttpServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { createTestPki, type S3Server, startS3Server, type TestPki } from '@vault-raft-backup/testkit';
import { objectSha, requireBundle, tempDir, upload } from './e2e-helpers';
import { writeSnapshot } from './snapshot-file';

const BUCKET = 'signing';

/** What the store was told about one request's payload. */
interface Seen {
  method: string;
  url: string;
  payload: string | undefined;
  md5: string | undefined;
}

/** A front of the local store (TLS ends here when `pki` is given, as at S3): records headers, forwards the rest unchanged. */
function front(target: URL, seen: Seen[], pki?: TestPki): Promise<{ server: Server; url: string }> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', payload: req.headers['x-amz-content-sha256'] as string | undefined, md5: req.headers['content-md5'] as string | undefined });
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server = pki ? createHttpsServer({ cert: pki.cert, key: pki.key }, handle) : createHttpServer(handle);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `${pki ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('s3-uploader bundle: how an upload is signed', () => {
  let store: S3Server;
  let client: S3Client;
  let pki: TestPki;
  const servers: Server[] = [];

  beforeAll(async () => {
    requireBundle();
    store = await startS3Server({ buckets: [BUCKET] });
    client = store.client();
    pki = createTestPki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await store?.close();
  });

  /** Uploads an 11 MiB snapshot (three 5 MiB parts) through a front; returns what each part's request said. */
  async function uploadThrough(prefix: string, tls: boolean, extraEnv: Record<string, string> = {}) {
    const seen: Seen[] = [];
    const f = await front(new URL(store.endpoint), seen, tls ? pki : undefined);
    servers.push(f.server);
    const snap = await writeSnapshot(await tempDir(), `${prefix}.snap`, { stateSize: 11 * 1024 * 1024, takenAt: '2026-11-30T10:00:00Z' });
    const result = await upload({ ...store.env(), ...extraEnv, AWS_ENDPOINT_URL_S3: f.url, S3_BUCKET: BUCKET, S3_PREFIX: `${prefix}/`, S3_PART_SIZE: '5MiB', SNAPSHOT_FILE: snap.file });
    const parts = seen.filter((s) => s.method === 'PUT' && s.url.includes('partNumber='));
    return { result, parts, snap };
  }

  it('over https, every part carries UNSIGNED-PAYLOAD and its Content-MD5, and latest reads back whole', async () => {
    const { result, parts, snap } = await uploadThrough('tls', true, { NODE_EXTRA_CA_CERTS: pki.caCertPath });
    expect(result.code).toBe(0);
    expect(parts.map((p) => [p.payload, /^[A-Za-z0-9+/]{22}==$/.test(p.md5 ?? '')])).toEqual([1, 2, 3].map(() => ['UNSIGNED-PAYLOAD', true]));
    expect(await objectSha(client, BUCKET, 'tls/latestbackup.snap')).toBe(snap.sha256);
  });

  it('over plain http, every part is signed with its own sha256', async () => {
    const { result, parts } = await uploadThrough('plain', false);
    expect(result.code).toBe(0);
    expect(parts).toHaveLength(3);
    expect(new Set(parts.map((p) => p.payload)).size).toBe(3);
    for (const p of parts) expect(p.payload).toMatch(/^[0-9a-f]{64}$/);
  });
});
