import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run, start } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { type HostileServer, proxyTo, startHostile } from './support/hostile-vault';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { forward, freePort } from './support/snapshots';
import { backupRole, backupVault, lookupStatus } from './support/vault';

let d: VaultDouble;
let role: { roleId: string; secretId: string };
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  d = await backupVault();
  role = backupRole(d);
});
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  await d.close();
  removeWorkDirs();
});

const loginEnv = (addr: string, dir: string, extra: Record<string, string> = {}) => ({ VAULT_ADDR: addr, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(dir, 'token'), ...extra });

const retries = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'Vault call failed, retrying');

/** A Vault in front of the double whose first `times` logins answer 429 with this Retry-After. */
async function rateLimited(retryAfter: string, times: number): Promise<HostileServer> {
  let left = times;
  const server = await startHostile((req, res, seen) => {
    if (seen.path !== '/v1/auth/approle/login' || left <= 0) return proxyTo(d.url, req, res);
    left--;
    req.resume();
    // Vault's rate-limit quota answer (internal/http/util.go, quotas_rate_limit.go with response headers enabled)
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter }).end(JSON.stringify({ errors: ['request path "auth/approle/login": rate limit quota exceeded'] }));
  });
  closers.push(server.close);
  return server;
}

describe('a Vault that is away for a while', () => {
  it('V-RETRY-LATE-VAULT: a Vault that starts listening 5 s after approle-login started is waited for with the default settings', () =>
    withFault(
      { id: 'V-RETRY-LATE-VAULT', area: 'Vault', fault: 'Vault answers only after 5 s (leader election, restart of the active pod)', injection: 'VAULT_ADDR points at a closed port; a forwarder to the double opens there 5 s after approle-login started; no retry variable set', expected: 'retried with backoff within VAULT_RETRY_TIMEOUT (60 s), exit 0, token file written' },
      async (f) => {
        const dir = workDir('late');
        const port = await freePort();
        const child = start('approle-login', loginEnv(`http://127.0.0.1:${port}`, dir));
        await new Promise((r) => setTimeout(r, 5000));
        f.inject();
        closers.push(await forward(port, d.url));
        const result = await child.done;
        expect(result.code).toBe(0);
        expect(retries(result.lines).length).toBeGreaterThanOrEqual(1);
        const token = readFileSync(join(dir, 'token'), 'utf8');
        keepSecret('vault token', token, join(dir, 'token'));
        expect(await lookupStatus(d, token)).toBe(200);
      },
    ));

  it('V-RETRY-BUDGET: a Vault that never listens is retried until VAULT_RETRY_TIMEOUT is spent, then VAULT_UNREACHABLE', () =>
    withFault(
      { id: 'V-RETRY-BUDGET', area: 'Vault', fault: 'Vault never answers', injection: 'VAULT_ADDR points at a closed port, VAULT_RETRY_TIMEOUT=3s', expected: 'retries logged with the budget, the last attempt at the end of the budget (run >= 3 s), exit 1 VAULT_UNREACHABLE naming the address, no token file' },
      async (f) => {
        const dir = workDir('budget');
        const port = await freePort();
        f.inject();
        const result = await run('approle-login', loginEnv(`http://127.0.0.1:${port}`, dir, { VAULT_RETRY_TIMEOUT: '3s' }));
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_UNREACHABLE' });
        expect(lastMsg(result)).toContain(`cannot reach Vault at http://127.0.0.1:${port}`);
        expect(retries(result.lines).length).toBeGreaterThanOrEqual(1);
        expect(retries(result.lines).every((l) => l.retryTimeoutMs === 3000)).toBe(true);
        expect(Number(result.lines.at(-1)?.durationMs)).toBeGreaterThanOrEqual(3000);
        f.intact('no token file', tree(dir).length === 0);
      },
    ));
});

describe('Retry-After', () => {
  it('V-RETRY-AFTER: a 429 with Retry-After: 2 is retried no sooner than 2 s later, and the login succeeds', () =>
    withFault(
      { id: 'V-RETRY-AFTER', area: 'Vault', fault: '429 rate limit with Retry-After', injection: 'a server in front of the double answers the first login 429 with Retry-After: 2 (Vault\'s rate-limit quota)', expected: 'one retry after >= 2 s (logged delayMs >= 2000, the server sees the second login >= 2 s later), exit 0' },
      async (f) => {
        const vault = await rateLimited('2', 1);
        const dir = workDir('retry-after');
        f.inject();
        const result = await run('approle-login', loginEnv(vault.url, dir));
        expect(result.code).toBe(0);
        expect(retries(result.lines)).toHaveLength(1);
        expect(Number(retries(result.lines)[0]?.delayMs)).toBeGreaterThanOrEqual(2000);
        const logins = vault.seen.filter((s) => s.path === '/v1/auth/approle/login');
        expect(logins).toHaveLength(2);
        expect((logins[1]?.at ?? 0) - (logins[0]?.at ?? 0)).toBeGreaterThanOrEqual(1900);
        keepSecret('vault token', readFileSync(join(dir, 'token'), 'utf8'), join(dir, 'token'));
      },
    ));

  it('V-RETRY-AFTER-BEYOND-BUDGET: a Retry-After longer than the retry budget ends the call at once with the 429', () =>
    withFault(
      { id: 'V-RETRY-AFTER-BEYOND-BUDGET', area: 'Vault', fault: '429 with a Retry-After beyond the budget', injection: 'the first 50 logins answer 429 with Retry-After: 3600; VAULT_RETRY_TIMEOUT=10s', expected: 'one request, a warning that Vault asked for more than the budget, exit 1 VAULT_HTTP "Vault answered 429 (...rate limit quota exceeded)", no token file' },
      async (f) => {
        const vault = await rateLimited('3600', 50);
        const dir = workDir('retry-after-long');
        f.inject();
        const result = await run('approle-login', loginEnv(vault.url, dir, { VAULT_RETRY_TIMEOUT: '10s' }));
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_HTTP' });
        expect(lastMsg(result)).toMatch(/^Vault answered 429 \(.*rate limit quota exceeded\): POST \/v1\/auth\/approle\/login$/);
        expect(vault.seen.filter((s) => s.path === '/v1/auth/approle/login')).toHaveLength(1);
        expect(result.lines.some((l) => l.level === 'warn' && l.retryAfterMs === 3_600_000)).toBe(true);
        f.intact('no token file', tree(dir).length === 0);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
