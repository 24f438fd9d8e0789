import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { run } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupRole, backupVault, lookupStatus, tokenFor } from './support/vault';

let d: VaultDouble;
beforeAll(async () => {
  d = await backupVault({ nodes: 3, fillerBytes: 256 * 1024 });
});
afterAll(async () => {
  await d.close();
  removeWorkDirs();
});

/** Runs snapshot-taker over an earlier good snapshot and returns the result and what to check. */
async function takeOver(env: Record<string, string>) {
  const dir = workDir('snap');
  const prev = previousBackup(dir);
  const result = await run('snapshot-taker', { VAULT_ADDR: d.url, SNAPSHOT_FILE: prev.file, ...env });
  return { dir, prev, result };
}

describe('errors before the first byte', () => {
  it('V-SNAPSHOT-403: a token without the snapshot policy gets 403: exit 1 VAULT_PERMISSION_DENIED, earlier snapshot kept', () =>
    withFault(
      { id: 'V-SNAPSHOT-403', area: 'Vault', fault: '403 on snapshot', injection: 'token with only the default policy', expected: 'exit 1 VAULT_PERMISSION_DENIED naming GET /v1/sys/storage/raft/snapshot; earlier snapshot and sidecar byte-identical, no temp file' },
      async (f) => {
        f.inject();
        const { dir, prev, result } = await takeOver({ VAULT_TOKEN: await tokenFor(d, { policies: ['default'] }) });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_PERMISSION_DENIED', msg: expect.stringContaining('403 (permission denied): GET /v1/sys/storage/raft/snapshot') });
        expectPreviousIntact(f, dir, prev);
      },
    ));

  it('V-SNAPSHOT-SEALED: a sealed Vault answers 503: exit 1 VAULT_SEALED without retries, earlier snapshot kept', async () => {
    const sealed = await backupVault();
    const token = await tokenFor(sealed);
    sealed.seal();
    try {
      await withFault(
        { id: 'V-SNAPSHOT-SEALED', area: 'Vault', fault: '503 sealed on snapshot', injection: 'double.seal() after the token was made', expected: 'exit 1 VAULT_SEALED, one snapshot request, earlier snapshot kept' },
        async (f) => {
          f.inject();
          const { dir, prev, result } = await takeOver({ VAULT_ADDR: sealed.url, VAULT_TOKEN: token });
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_SEALED' });
          expect(sealed.requests.filter((r) => r.path === '/v1/sys/storage/raft/snapshot')).toHaveLength(1);
          expectPreviousIntact(f, dir, prev);
        },
      );
    } finally {
      await sealed.close();
    }
  });

  it('V-SNAPSHOT-5XX: 500 and 429 before the first byte are retried and the snapshot is taken', () =>
    withFault(
      { id: 'V-SNAPSHOT-5XX', area: 'Vault', fault: '500 / 429 on snapshot GET', injection: 'double failNext 500 x2, then 429 x1', expected: 'retried, exit 0, verified snapshot replaces the earlier one' },
      async (f) => {
        d.faults.failNext = { path: '/v1/sys/storage/raft/snapshot', status: 500, times: 2 };
        f.inject(2);
        const first = await takeOver({ VAULT_TOKEN: await tokenFor(d), VAULT_MAX_RETRIES: '3' });
        expect(first.result.code).toBe(0);
        d.faults.failNext = { path: '/v1/sys/storage/raft/snapshot', status: 429, times: 1 };
        f.inject(1);
        const second = await takeOver({ VAULT_TOKEN: await tokenFor(d), VAULT_MAX_RETRIES: '3' });
        expect(second.result.code).toBe(0);
        expect(JSON.parse(readFileSync(`${second.prev.file}.json`, 'utf8')).index).toBeGreaterThan(7);
      },
    ));

  it('V-REDIRECT-ACTIVE: a standby answers 307; the snapshot comes from the active node, which the sidecar records', () =>
    withFault(
      { id: 'V-REDIRECT-ACTIVE', area: 'Vault', fault: '307 to the active node', injection: 'VAULT_ADDR = a standby of a 3-node double', expected: 'one redirect followed, exit 0, sidecar source = active node' },
      async (f) => {
        f.inject();
        const { prev, result } = await takeOver({ VAULT_ADDR: d.nodes[2]?.url ?? '', VAULT_TOKEN: await tokenFor(d) });
        expect(result.code).toBe(0);
        expect(JSON.parse(readFileSync(`${prev.file}.json`, 'utf8')).source).toBe(d.url);
      },
    ));
});

describe('tokens', () => {
  it('V-TOKEN-REVOKED: a token revoked between login and snapshot: exit 1 permission denied, earlier snapshot kept', () =>
    withFault(
      { id: 'V-TOKEN-REVOKED', area: 'Vault', fault: 'token revoked mid-run', injection: 'approle-login writes the token, which is revoked (revoke-self) before snapshot-taker runs', expected: 'exit 1 VAULT_PERMISSION_DENIED, revoke at the end only warns, earlier snapshot kept' },
      async (f) => {
        const role = backupRole(d, 'revoked');
        const tokenDir = workDir('token');
        const tokenFile = join(tokenDir, 'token');
        expect((await run('approle-login', { VAULT_ADDR: d.url, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: tokenFile })).code).toBe(0);
        const token = readFileSync(tokenFile, 'utf8');
        keepSecret('vault token', token, tokenFile);
        await fetch(`${d.url}/v1/auth/token/revoke-self`, { method: 'POST', headers: { 'x-vault-token': token } });
        f.inject();
        const { dir, prev, result } = await takeOver({ VAULT_TOKEN_FILE: tokenFile });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
        expect(result.lines.some((l) => l.level === 'warn' && String(l.msg).startsWith('could not revoke the token'))).toBe(true);
        expectPreviousIntact(f, dir, prev);
      },
    ));

  it('V-TOKEN-EXPIRED: a token whose TTL ran out: exit 1 permission denied, earlier snapshot kept', () =>
    withFault(
      { id: 'V-TOKEN-EXPIRED', area: 'Vault', fault: 'token expired', injection: 'token created with ttl=1s, used 1.5 s later', expected: 'exit 1 VAULT_PERMISSION_DENIED, earlier snapshot kept' },
      async (f) => {
        const token = await tokenFor(d, { ttl: '1s' });
        await new Promise((r) => setTimeout(r, 1500));
        expect(await lookupStatus(d, token)).toBe(403);
        f.inject();
        const { dir, prev, result } = await takeOver({ VAULT_TOKEN: token });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
        expectPreviousIntact(f, dir, prev);
      },
    ));
});

describe('the stream itself', () => {
  it('V-STALL: a stream that stops sending bytes is aborted after SNAPSHOT_STALL_TIMEOUT: SNAPSHOT_STALLED, earlier snapshot kept', () =>
    withFault(
      { id: 'V-STALL', area: 'Vault', fault: 'stream stalls', injection: 'double stallSnapshotAfterBytes=64 KiB (socket kept open), SNAPSHOT_STALL_TIMEOUT=1s', expected: 'exit 1 SNAPSHOT_STALLED "no data from Vault for 1s", earlier snapshot kept, no temp file' },
      async (f) => {
        d.faults.stallSnapshotAfterBytes = 64 * 1024;
        try {
          f.inject();
          const { dir, prev, result } = await takeOver({ VAULT_TOKEN: await tokenFor(d), SNAPSHOT_STALL_TIMEOUT: '1s' });
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_STALLED', msg: expect.stringContaining('no data from Vault for 1s') });
          expectPreviousIntact(f, dir, prev);
        } finally {
          d.faults.stallSnapshotAfterBytes = undefined;
        }
      },
    ));

  it.each(['text/html; charset=utf-8', 'application/json'])('V-CONTENT-TYPE: a 200 with content type %s is refused: SNAPSHOT_INVALID, earlier snapshot kept', (type) =>
    withFault(
      { id: `V-CONTENT-TYPE ${type}`, area: 'Vault', fault: 'wrong content type', injection: `double snapshotContentType="${type}"`, expected: 'exit 1 SNAPSHOT_INVALID naming the content type, earlier snapshot kept' },
      async (f) => {
        d.faults.snapshotContentType = type;
        try {
          f.inject();
          const { dir, prev, result } = await takeOver({ VAULT_TOKEN: await tokenFor(d) });
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INVALID', msg: expect.stringContaining(`content type "${type}"`) });
          expectPreviousIntact(f, dir, prev);
        } finally {
          d.faults.snapshotContentType = undefined;
        }
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
