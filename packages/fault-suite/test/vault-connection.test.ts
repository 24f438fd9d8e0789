import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run, start } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, forward, freePort, previousBackup } from './support/snapshots';
import { backupRole, backupVault, lookupStatus, tokenFor } from './support/vault';

let d: VaultDouble;
let role: { roleId: string; secretId: string };
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  d = await backupVault();
  role = backupRole(d);
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await d.close();
  removeWorkDirs();
});

const login = (dir: string, extra: Record<string, string> = {}) =>
  run('approle-login', { VAULT_ADDR: d.url, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(dir, 'token'), ...extra });

describe('Vault is not reachable yet', () => {
  it('V-REFUSED-START: while Vault starts, login retries refused connections with backoff and succeeds once it listens', () =>
    withFault(
      { id: 'V-REFUSED-START', area: 'Vault', fault: 'connection refused while Vault starts', injection: 'VAULT_ADDR points at a port nobody listens on; a forwarder to the double opens there after the first retry', expected: 'approle-login retries with backoff, exit 0, token file written' },
      async (f) => {
        const dir = workDir('refused');
        const port = await freePort();
        const child = start('approle-login', { VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(dir, 'token'), VAULT_MAX_RETRIES: '8' });
        await child.waitForLine((l) => l.msg === 'Vault call failed, retrying');
        f.inject();
        cleanups.push(await forward(port, d.url));
        const result = await child.done;
        expect(result.code).toBe(0);
        expect(result.lines.filter((l) => l.msg === 'Vault call failed, retrying').length).toBeGreaterThanOrEqual(1);
        const token = readFileSync(join(dir, 'token'), 'utf8');
        keepSecret('vault token', token, join(dir, 'token'));
        expect(await lookupStatus(d, token)).toBe(200);
      },
    ));

  it('V-REFUSED-DEADLINE: when Vault never listens, it gives up after VAULT_MAX_RETRIES with VAULT_UNREACHABLE naming the address', () =>
    withFault(
      { id: 'V-REFUSED-DEADLINE', area: 'Vault', fault: 'Vault never starts', injection: 'VAULT_ADDR points at a closed port, VAULT_MAX_RETRIES=2', expected: 'exit 1, VAULT_UNREACHABLE naming the address, 2 retries, no token file' },
      async (f) => {
        const dir = workDir('unreachable');
        const port = await freePort();
        f.inject(3);
        const result = await login(dir, { VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_MAX_RETRIES: '2' });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_UNREACHABLE' });
        expect(lastMsg(result)).toContain(`cannot reach Vault at http://127.0.0.1:${port}`);
        expect(result.lines.filter((l) => l.msg === 'Vault call failed, retrying')).toHaveLength(2);
        f.intact('no token file', tree(dir).length === 0);
      },
    ));
});

describe('snapshot-taker while Vault is not reachable', () => {
  it('V-SNAPSHOT-RESET-RETRIES: connections reset before the first byte are retried exactly VAULT_MAX_RETRIES times, then VAULT_UNREACHABLE', async () => {
    let connections = 0;
    const resetter = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
    try {
      await withFault(
        { id: 'V-SNAPSHOT-RESET-RETRIES', area: 'Vault', fault: 'connection reset before the snapshot starts', injection: 'a TCP server that accepts and closes every connection; VAULT_MAX_RETRIES=2', expected: 'exactly 3 attempts, each retry logged, exit 1 VAULT_UNREACHABLE, earlier snapshot kept' },
        async (f) => {
          const dir = workDir('snap-reset');
          const prev = previousBackup(dir);
          const result = await run('snapshot-taker', { VAULT_ADDR: `http://127.0.0.1:${(resetter.address() as AddressInfo).port}`, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: prev.file, VAULT_MAX_RETRIES: '2', VAULT_REVOKE_TOKEN: 'false' });
          f.inject(connections);
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_UNREACHABLE' });
          expect(connections).toBe(3);
          expect(result.lines.filter((l) => l.msg === 'Vault call failed, retrying')).toHaveLength(2);
          expectPreviousIntact(f, dir, prev);
        },
      );
    } finally {
      await new Promise<void>((r) => resetter.close(() => r()));
    }
  });
});

describe('Vault answers errors on login', () => {
  it.each([
    [503, 2],
    [429, 2],
    [502, 1],
  ])('V-LOGIN-RETRY: %i on login %i times is retried and the login succeeds', (status, times) =>
    withFault(
      { id: `V-LOGIN-${status}`, area: 'Vault', fault: `${status} on login (${times}x)`, injection: `double failNext {path: login, status: ${status}, times: ${times}}`, expected: 'retried with backoff, exit 0, one retry log line per failure' },
      async (f) => {
        const dir = workDir('login-retry');
        // 503 without "sealed": what a leader election looks like (a sealed 503 must not be retried, see V-LOGIN-SEALED)
        d.faults.failNext = { path: '/v1/auth/approle/login', status, times, ...(status === 503 ? { body: { errors: ['no active Vault instance found'] } } : {}) };
        f.inject(times);
        const result = await login(dir, { VAULT_MAX_RETRIES: '3' });
        expect(result.code).toBe(0);
        expect(result.lines.filter((l) => l.msg === 'Vault call failed, retrying')).toHaveLength(times);
        keepSecret('vault token', readFileSync(join(dir, 'token'), 'utf8'), join(dir, 'token'));
      },
    ));

  it('V-LOGIN-500-PERSISTENT: a login that keeps failing with 500 ends in exit 1 naming status and path, no token file', () =>
    withFault(
      { id: 'V-LOGIN-500-PERSISTENT', area: 'Vault', fault: '500 on every login', injection: 'double failNext {status: 500, times: 50}, VAULT_MAX_RETRIES=2', expected: 'exit 1, "Vault answered 500 ...: POST /v1/auth/approle/login", no token file' },
      async (f) => {
        const dir = workDir('login-500');
        d.faults.failNext = { path: '/v1/auth/approle/login', status: 500, times: 50 };
        try {
          const result = await login(dir, { VAULT_MAX_RETRIES: '2' });
          f.inject(3);
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_HTTP' });
          expect(lastMsg(result)).toMatch(/^Vault answered 500 .*: POST \/v1\/auth\/approle\/login$/);
          f.intact('no token file', tree(dir).length === 0);
        } finally {
          d.faults.failNext = undefined;
        }
      },
    ));

  it('V-LOGIN-SEALED: login against a sealed Vault is not retried: exit 1 VAULT_SEALED', async () => {
    const sealed = await backupVault();
    const sealedRole = backupRole(sealed, 'sealed');
    sealed.seal();
    try {
      await withFault(
        { id: 'V-LOGIN-SEALED', area: 'Vault', fault: '503 sealed on login', injection: 'double.seal() before approle-login', expected: 'exit 1 VAULT_SEALED without retries, no token file' },
        async (f) => {
          const dir = workDir('login-sealed');
          f.inject();
          const result = await run('approle-login', { VAULT_ADDR: sealed.url, VAULT_ROLE_ID: sealedRole.roleId, VAULT_SECRET_ID: sealedRole.secretId, VAULT_TOKEN_FILE: join(dir, 'token') });
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_SEALED' });
          expect(result.lines.some((l) => l.msg === 'Vault call failed, retrying')).toBe(false);
          f.intact('no token file', tree(dir).length === 0);
        },
      );
    } finally {
      await sealed.close();
    }
  });
});

describe('redirects', () => {
  let loop: Server;
  let loopHits = 0;
  beforeAll(async () => {
    loop = createServer((req, res) => {
      loopHits++;
      const port = (loop.address() as AddressInfo).port;
      res.writeHead(307, { Location: `http://127.0.0.1:${port}${req.url}` }).end();
    });
    await new Promise<void>((r) => loop.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => loop.close(() => r())));

  it('V-REDIRECT-LOOP: a standby that redirects to itself is followed once, then it stops with VAULT_REDIRECT and keeps the earlier snapshot', () =>
    withFault(
      { id: 'V-REDIRECT-LOOP', area: 'Vault', fault: 'redirect loop', injection: 'a server answering every request with 307 to itself', expected: 'exit 1 VAULT_REDIRECT after 2 requests per call (login and snapshot), earlier snapshot untouched' },
      async (f) => {
        const dir = workDir('redirect-loop');
        const addr = `http://127.0.0.1:${(loop.address() as AddressInfo).port}`;
        const loginResult = await login(workDir('redirect-login'), { VAULT_ADDR: addr });
        expect(loginResult.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        const prev = previousBackup(dir);
        loopHits = 0;
        const result = await run('snapshot-taker', { VAULT_ADDR: addr, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: prev.file, VAULT_REVOKE_TOKEN: 'false' });
        f.inject(loopHits + 2);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(loopHits).toBe(2);
        expectPreviousIntact(f, dir, prev);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
