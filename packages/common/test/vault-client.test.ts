import { mkdtempSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, VaultClient, VaultError } from '../src/index';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
const quiet = createLogger({ component: 'test', write: () => {} });
const fast = { timeoutMs: 2000, baseDelayMs: 1, maxDelayMs: 2 };

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function client(addr: string, extra: Partial<ConstructorParameters<typeof VaultClient>[0]> = {}) {
  return new VaultClient({ addr, log: quiet, retry: { ...fast, maxRetries: 3 }, ...extra });
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('VaultClient', () => {
  it('when Vault answers 429 then 500, an idempotent call is retried until it succeeds', async () => {
    const statuses = [429, 500];
    const addr = await serve((_req, res) => {
      const next = statuses.shift();
      if (next) json(res, next, { errors: ['busy'] });
      else json(res, 200, { data: { ok: true } });
    });
    const res = await client(addr).request<{ data: { ok: boolean } }>('GET', 'sys/health', { idempotent: true });
    expect(res.body.data.ok).toBe(true);
    expect(statuses).toEqual([]);
  });

  it('when a call is not idempotent, a 500 is not retried', async () => {
    let calls = 0;
    const addr = await serve((_req, res) => {
      calls++;
      json(res, 500, { errors: ['internal error'] });
    });
    await expect(client(addr).request('POST', 'sys/init', { json: {} })).rejects.toThrow('Vault answered 500 (internal error): POST /v1/sys/init');
    expect(calls).toBe(1);
  });

  it('when Vault is sealed, the 503 is not retried and carries VAULT_SEALED', async () => {
    let calls = 0;
    const addr = await serve((_req, res) => {
      calls++;
      json(res, 503, { errors: ['Vault is sealed'] });
    });
    const err = await client(addr).request('GET', 'sys/storage/raft/snapshot', { idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_SEALED');
    expect(calls).toBe(1);
  });

  it('when a standby answers 307 on the snapshot path, it follows exactly one redirect to the active node, with the token', async () => {
    const tokens: (string | undefined)[] = [];
    const active = await serve((req, res) => {
      tokens.push(req.headers['x-vault-token'] as string | undefined);
      json(res, 200, { data: { path: req.url } });
    });
    const standby = await serve((req, res) => {
      res.writeHead(307, { location: `${active}${req.url}` });
      res.end();
    });
    const res = await client(standby, { token: 'hvs.test-token' }).request<{ data: { path: string } }>('GET', 'sys/storage/raft/snapshot?x=1');
    expect(res.body.data.path).toBe('/v1/sys/storage/raft/snapshot?x=1');
    expect(res.url.startsWith(active)).toBe(true);
    expect(tokens).toEqual(['hvs.test-token']);
  });

  it('when a 307 comes on any other path, it is not followed: the target never sees the request', async () => {
    let reached = 0;
    const elsewhere = await serve((_req, res) => {
      reached++;
      json(res, 200, {});
    });
    const vault = await serve((req, res) => {
      res.writeHead(307, { location: `${elsewhere}${req.url}` });
      res.end();
    });
    const err = await client(vault).request('POST', 'auth/approle/login', { json: { role_id: 'r', secret_id: 's' }, idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_REDIRECT');
    expect((err as VaultError).message).toMatch(/: POST \/v1\/auth\/approle\/login$/);
    expect(reached).toBe(0);
  });

  it('when redirects loop, it stops after one and says so', async () => {
    const addr = await serve((req, res) => {
      res.writeHead(307, { location: req.url });
      res.end();
    });
    const err = await client(addr).request('GET', 'sys/storage/raft/snapshot').catch((e: unknown) => e);
    expect((err as VaultError).code).toBe('VAULT_REDIRECT');
  });

  it('sends the namespace header to auth paths but never to root-only sys endpoints', async () => {
    const seen: Record<string, string | undefined> = {};
    const addr = await serve((req, res) => {
      seen[req.url ?? ''] = req.headers['x-vault-namespace'] as string | undefined;
      expect(req.headers['x-vault-request']).toBe('true');
      json(res, 200, {});
    });
    const c = client(addr, { namespace: 'team-a', token: 'hvs.test-token' });
    await c.request('POST', 'auth/approle/login', { json: {} });
    await c.request('GET', 'sys/storage/raft/snapshot');
    expect(seen).toEqual({ '/v1/auth/approle/login': 'team-a', '/v1/sys/storage/raft/snapshot': undefined });
  });

  it('when nothing listens, it retries network errors and then fails with VAULT_UNREACHABLE', async () => {
    const addr = await serve(() => {});
    const closed = servers.pop();
    await new Promise((r) => closed?.close(r));
    const err = await client(addr).request('GET', 'sys/health', { idempotent: true }).catch((e: unknown) => e);
    expect((err as VaultError).code).toBe('VAULT_UNREACHABLE');
    expect((err as VaultError).message).toContain(`cannot reach Vault at ${addr}`);
  });
});

describe('VaultClient errors and retries', () => {
  it("when Vault answers an error, the VaultError keeps Vault's errors list and the message keeps its shape", async () => {
    const addr = await serve((_req, res) => json(res, 503, { errors: ['Vault is sealed'] }));
    const err = (await client(addr).request('GET', 'sys/seal-status').catch((e: unknown) => e)) as VaultError;
    expect(err.message).toBe('Vault answered 503 (Vault is sealed): GET /v1/sys/seal-status');
    expect(err.errors).toEqual(['Vault is sealed']);
    expect(err.status).toBe(503);
  });

  it('when Vault answers 429 with Retry-After, the retry waits at least that long', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ component: 'test', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    let calls = 0;
    const addr = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ errors: ['rate limit quota exceeded'] }));
      } else json(res, 200, {});
    });
    await client(addr, { log }).request('GET', 'sys/health', { idempotent: true });
    expect(calls).toBe(2);
    expect(lines.find((l) => l.msg === 'Vault call failed, retrying')).toMatchObject({ status: 429, delayMs: 1000 });
  });

  it('when nothing answers, idempotent calls are retried until the time budget is spent', async () => {
    const addr = await serve(() => {});
    const closed = servers.pop();
    await new Promise((r) => closed?.close(r));
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ component: 'test', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const started = Date.now();
    const err = await new VaultClient({ addr, log, retry: { timeoutMs: 300, baseDelayMs: 10, maxDelayMs: 50 } }).request('GET', 'sys/health', { idempotent: true }).catch((e: unknown) => e);
    expect((err as VaultError).code).toBe('VAULT_UNREACHABLE');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lines.filter((l) => l.msg === 'Vault call failed, retrying').length).toBeGreaterThan(1);
  });

  it('sends a POST without a body (revoke-self) and a LIST as GET ?list=true', async () => {
    const seen: string[] = [];
    const addr = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-length'] ?? '-'}`);
      res.writeHead(204).end();
    });
    await client(addr).request('POST', 'auth/token/revoke-self');
    await client(addr).request('LIST', 'auth/approle/role');
    expect(seen).toEqual(['POST /v1/auth/token/revoke-self 0', 'GET /v1/auth/approle/role?list=true -']);
  });
});

describe('VaultClient transfers', () => {
  it('an upload redirected by a standby is sent again, whole, from a re-opened body, with the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upload-'));
    const file = join(dir, 'vault.snap');
    writeFileSync(file, Buffer.alloc(300_000, 7));
    let opened = 0;
    const received: { bytes: number; token: unknown }[] = [];
    const active = await serve((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        received.push({ bytes, token: req.headers['x-vault-token'] });
        res.writeHead(204).end();
      });
    });
    const standby = await serve((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${active}${req.url}` }).end();
    });
    const body = {
      open: () => {
        opened++;
        return createReadStream(file);
      },
      bytes: 300_000,
    };
    const res = await client(standby).upload('sys/storage/raft/snapshot-force', { body, token: 'hvs.root', responseMs: 2000, idleMs: 2000 });
    expect(res.servedBy).toBe(active);
    expect(received).toEqual([{ bytes: 300_000, token: 'hvs.root' }]);
    expect(opened).toBe(2);
  });

  it('a download that crawls below the speed floor errors with VAULT_TIMEOUT', async () => {
    const addr = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const c = client(addr, { floor: { minBytesPerSecond: 1024, windowMs: 1000 } });
    const opened = await c.openStream('sys/storage/raft/snapshot', { firstByteMs: 2000, idleMs: 5000 });
    const err = await (async () => {
      for await (const _chunk of opened.body) {
        // reading until the guard ends it
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_TIMEOUT');
    expect((err as VaultError).message).toMatch(/^transfer too slow: Vault sent \d+B in the last 1s, fewer than 1KiB\/s .*: GET \/v1\/sys\/storage\/raft\/snapshot$/);
  });
});
