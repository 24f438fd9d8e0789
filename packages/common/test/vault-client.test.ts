import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, VaultClient, VaultError } from '../src/index';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
const quiet = createLogger({ component: 'test', write: () => {} });

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
  return new VaultClient({ addr, log: quiet, retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 }, ...extra });
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

  it('when a standby answers 307, it follows exactly one redirect to the active node', async () => {
    const active = await serve((req, res) => json(res, 200, { data: { path: req.url } }));
    const standby = await serve((req, res) => {
      res.writeHead(307, { location: `${active}${req.url}` });
      res.end();
    });
    const res = await client(standby).request<{ data: { path: string } }>('GET', 'sys/leader?x=1');
    expect(res.body.data.path).toBe('/v1/sys/leader?x=1');
    expect(res.url.startsWith(active)).toBe(true);
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
