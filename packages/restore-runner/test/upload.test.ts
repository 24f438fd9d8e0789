import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, VaultClient, VaultError } from '@vault-raft-backup/common';
import { uploadSnapshot } from '../src/upload-snapshot';

interface Seen {
  bytes: number;
  sha256: string;
  contentLength: string | undefined;
  token: string | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      const s = { bytes, sha256: hash.digest('hex'), contentLength: req.headers['content-length'], token: req.headers['x-vault-token'] as string | undefined };
      seen.push(s);
      handler(req, res, s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const log = createLogger({ component: 'test', write: () => {} });
const dir = mkdtempSync(join(tmpdir(), 'upload-'));
const file = join(dir, 'vault.snap');
const content = randomBytes(3 * 1024 * 1024 + 17);
const servers: Server[] = [];

beforeAll(() => writeFileSync(file, content));
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

function options() {
  return { token: 'hvs.temporary-root', log, signal: new AbortController().signal, responseTimeoutMs: 10_000, socketTimeoutMs: 10_000 };
}

test('a 307 from a standby re-opens the file and the active node receives the whole snapshot with its length and the token', async () => {
  const active = await listen((_req, res) => res.writeHead(204).end());
  const standby = await listen((req, res) => res.writeHead(307, { location: `${active.url}${req.url}` }).end());
  servers.push(active.server, standby.server);

  const result = await uploadSnapshot(new VaultClient({ addr: standby.url, log }), file, options());

  const expected = createHash('sha256').update(content).digest('hex');
  expect(result).toMatchObject({ bytes: content.length, acceptedBy: active.url });
  expect(active.seen).toEqual([{ bytes: content.length, sha256: expected, contentLength: String(content.length), token: 'hvs.temporary-root' }]);
});

test('a 500 from Vault is a RESTORE_FAILED error that says the archive was rejected', async () => {
  const failing = await listen((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: ['failed to read snapshot file: unexpected EOF'] })));
  servers.push(failing.server);

  const err = await uploadSnapshot(new VaultClient({ addr: failing.url, log }), file, options()).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(VaultError);
  expect(err).toMatchObject({ code: 'RESTORE_FAILED', status: 500 });
  expect((err as Error).message).toMatch(/Vault rejected the snapshot \(500 failed to read snapshot file: unexpected EOF\): POST \/v1\/sys\/storage\/raft\/snapshot-force/);
});
