import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loginAndWriteToken, VaultClient, VaultError } from '../src/index';

interface Seen {
  path: string;
  token: string | undefined;
  body: string;
}

const servers: Server[] = [];
let seen: Seen[];
let lines: string[];
let dir: string;
const log = createLogger({ component: 'test', write: (l) => lines.push(l) });

/** A Vault stand-in: answers the login with `login`, and revoke-self with 204, recording each call. */
async function vault(login: { status: number; body: unknown }): Promise<VaultClient> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', token: req.headers['x-vault-token'] as string | undefined, body });
      const answer = req.url === '/v1/auth/token/revoke-self' ? { status: 204, body: undefined } : login;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new VaultClient({ addr, log, retry: { timeoutMs: 1000, maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
}

const TOKEN = 'hvs.login-helper-test-token';
const signal = new AbortController().signal;

beforeEach(() => {
  seen = [];
  lines = [];
  dir = mkdtempSync(join(tmpdir(), 'login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('loginAndWriteToken', () => {
  it('writes the token of a login response to the token file with mode 0600 and never logs it', async () => {
    const client = await vault({ status: 200, body: { auth: { client_token: TOKEN, lease_duration: 600, renewable: true, token_policies: ['default', 'snap'] } } });
    const tokenFile = join(dir, 'token');

    await loginAndWriteToken(client, { path: 'auth/m/login', body: { role: 'r', jwt: 'j' }, tokenFile, signal }, log);

    expect(readFileSync(tokenFile, 'utf8')).toBe(TOKEN);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(seen.map((s) => [s.path, s.body])).toEqual([['/v1/auth/m/login', '{"role":"r","jwt":"j"}']]);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ msg: 'logged in, token written', ttlSeconds: 600, policies: ['default', 'snap'] });
  });

  it('when the token cannot be written, it revokes that token and fails with FILE_IO, leaving no file', async () => {
    const client = await vault({ status: 200, body: { auth: { client_token: TOKEN } } });
    const tokenFile = join(dir, 'missing-folder', 'token');

    const failure = loginAndWriteToken(client, { path: 'auth/m/login', body: {}, tokenFile, signal }, log);

    await expect(failure).rejects.toMatchObject({ code: 'FILE_IO' });
    expect(seen.map((s) => s.path)).toEqual(['/v1/auth/m/login', '/v1/auth/token/revoke-self']);
    expect(seen[1]?.token).toBe(TOKEN);
    expect(lines.some((l) => l.includes('token revoked, as it could not be written'))).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when Vault answers 400, it fails with VAULT_LOGIN_FAILED and Vault\'s own message', async () => {
    const client = await vault({ status: 400, body: { errors: ['invalid role or secret ID'] } });

    const failure = loginAndWriteToken(client, { path: 'auth/approle/login', body: {}, tokenFile: join(dir, 'token'), signal }, log);

    await expect(failure).rejects.toMatchObject({ code: 'VAULT_LOGIN_FAILED', status: 400, message: 'Vault login failed (400 invalid role or secret ID): POST /v1/auth/approle/login' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the caller explains a failure, its error is the one reported; others keep the client\'s error', async () => {
    const client = await vault({ status: 403, body: { errors: ['namespace not authorized'] } });
    const explain = (err: VaultError) => (err.status === 403 ? new VaultError('VAULT_LOGIN_FAILED', 'explained', { path: err.path, status: 403 }) : undefined);
    const params = { path: 'auth/k/login', body: {}, tokenFile: join(dir, 'token'), signal };

    await expect(loginAndWriteToken(client, { ...params, explain }, log)).rejects.toMatchObject({ code: 'VAULT_LOGIN_FAILED', message: 'explained' });
    await expect(loginAndWriteToken(client, params, log)).rejects.toMatchObject({ code: 'VAULT_PERMISSION_DENIED', status: 403 });
  });

  it('when the response carries no token, it fails with VAULT_LOGIN_FAILED and writes nothing', async () => {
    const client = await vault({ status: 200, body: { auth: null } });

    const failure = loginAndWriteToken(client, { path: 'auth/m/login', body: {}, tokenFile: join(dir, 'token'), signal }, log);

    await expect(failure).rejects.toMatchObject({ code: 'VAULT_LOGIN_FAILED', message: 'Vault login answered without auth.client_token: POST /v1/auth/m/login' });
    expect(readdirSync(dir)).toEqual([]);
  });
});
