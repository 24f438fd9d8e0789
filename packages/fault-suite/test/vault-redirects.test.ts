import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceAccountIssuer, createTestPki, setUpServiceAccountAuth, type TestPki, type VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { type HostileServer, startHostile, startRecorder, startRedirector } from './support/hostile-vault';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupRole, backupVault, lookupStatus, tokenFor } from './support/vault';

let pki: TestPki;
let d: VaultDouble;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  pki = createTestPki('vault');
  d = await backupVault();
});
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  await d.close();
  pki.remove();
  removeWorkDirs();
});

/** A server that must never be reached: everything it is sent is kept. */
async function target(tls?: { cert: string; key: string }): Promise<HostileServer> {
  const t = await startRecorder(tls);
  closers.push(t.close);
  return t;
}

async function redirector(redirect: (method: string, path: string) => string | undefined, tls?: { cert: string; key: string }): Promise<HostileServer> {
  const r = await startRedirector(d.url, redirect, tls);
  closers.push(r.close);
  return r;
}

describe('login credentials', () => {
  it('V-REDIRECT-LOGIN: a 307 on the AppRole login to another host is not followed: the role and secret ID never reach it', () =>
    withFault(
      { id: 'V-REDIRECT-LOGIN', area: 'Security', fault: '307 on login to another host', injection: 'a server in front of the double answers POST auth/approle/login with 307 to a recording server on another port', expected: 'exit 1 VAULT_REDIRECT naming the path; the recording server receives no request (no role ID, no secret ID); no token file' },
      async (f) => {
        const role = backupRole(d, 'redirected');
        const elsewhere = await target();
        const vault = await redirector((_m, path) => (path === '/v1/auth/approle/login' ? elsewhere.url : undefined));
        const dir = workDir('redirect-login');
        f.inject();
        const result = await run('approle-login', { VAULT_ADDR: vault.url, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(dir, 'token') });
        f.intact('role and secret ID never reach the redirect target', !elsewhere.received().includes(role.secretId) && !elsewhere.received().includes(role.roleId));
        f.intact('the redirect target received nothing', elsewhere.seen.length === 0);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(lastMsg(result)).toContain('POST /v1/auth/approle/login');
        f.intact('no token file', tree(dir).length === 0);
      },
    ));

  it('V-REDIRECT-K8S-LOGIN: a 307 on the Kubernetes login to another host is not followed: the ServiceAccount token never reaches it', async () => {
    const issuer = createServiceAccountIssuer();
    await setUpServiceAccountAuth(d, { publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: 'vault-raft-backup', serviceAccount: 'vault-raft-backup', policies: ['snapshot'] });
    await withFault(
      { id: 'V-REDIRECT-K8S-LOGIN', area: 'Security', fault: '307 on the Kubernetes login to another host', injection: 'a server in front of the double answers POST auth/kubernetes/login with 307 to a recording server on another port', expected: 'exit 1 VAULT_REDIRECT naming the path; the recording server receives no request (no ServiceAccount token); no token file' },
      async (f) => {
        const elsewhere = await target();
        const vault = await redirector((_m, path) => (path === '/v1/auth/kubernetes/login' ? elsewhere.url : undefined));
        const dir = workDir('redirect-k8s');
        const jwt = issuer.mint({ namespace: 'vault-raft-backup', serviceAccount: 'vault-raft-backup' });
        writeFileSync(join(dir, 'sa-token'), jwt);
        keepSecret('ServiceAccount token', jwt, join(dir, 'sa-token'));
        f.inject();
        const result = await run('kubernetes-login', { VAULT_ADDR: vault.url, VAULT_AUTH_ROLE: 'backup', VAULT_JWT_FILE: join(dir, 'sa-token'), VAULT_TOKEN_FILE: join(dir, 'token') });
        f.intact('the ServiceAccount token never reaches the redirect target', !elsewhere.received().includes(jwt));
        f.intact('the redirect target received nothing', elsewhere.seen.length === 0);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(lastMsg(result)).toContain('POST /v1/auth/kubernetes/login');
        f.intact('no token file', !tree(dir).includes('token'));
      },
    );
  });
});

describe('the token', () => {
  it('V-REDIRECT-DOWNGRADE: an https Vault that redirects the snapshot and revoke-self to plain http elsewhere never gets the token sent there', () =>
    withFault(
      {
        id: 'V-REDIRECT-DOWNGRADE',
        area: 'Security',
        fault: '307 from https to http on another host',
        injection: 'an https server (test CA) in front of the double answers GET sys/storage/raft/snapshot and POST auth/token/revoke-self with 307 to a plain-http recording server',
        expected: 'exit 1 VAULT_REDIRECT naming the downgrade; the recording server receives no request (no token); revoke-self refused too (warning); earlier snapshot kept',
      },
      async (f) => {
        const elsewhere = await target();
        const vault = await redirector((_m, path) => (path === '/v1/sys/storage/raft/snapshot' || path === '/v1/auth/token/revoke-self' ? elsewhere.url : undefined), { cert: pki.cert, key: pki.key });
        const token = await tokenFor(d);
        const dir = workDir('redirect-downgrade');
        const prev = previousBackup(dir);
        f.inject(2);
        const result = await run('snapshot-taker', { VAULT_ADDR: vault.url, VAULT_CACERT: pki.caCertPath, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file });
        f.intact('the token never reaches the plain-http target', !elsewhere.received().includes(token));
        f.intact('the redirect target received nothing', elsewhere.seen.length === 0);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(lastMsg(result)).toMatch(/from https to http:\/\/127\.0\.0\.1:\d+: not followed/);
        expect(result.lines.some((l) => l.level === 'warn' && String(l.msg).startsWith('could not revoke the token'))).toBe(true);
        expectPreviousIntact(f, dir, prev);
      },
    ));

  it('V-REDIRECT-HTTPS-ACTIVE: an https standby that redirects the snapshot to an https active node is followed, once', async () => {
    const active = await backupVault({ tls: { cert: pki.cert, key: pki.key } });
    closers.push(() => active.close());
    await withFault(
      { id: 'V-REDIRECT-HTTPS-ACTIVE', area: 'Vault', fault: '307 from https to https (standby to active)', injection: 'an https server answers the snapshot GET with 307 to an https double (same test CA)', expected: 'one redirect followed, exit 0, sidecar source = the active node' },
      async (f) => {
        const standby = await startRedirector(active.url, (_m, path) => (path === '/v1/sys/storage/raft/snapshot' ? active.url : undefined), { cert: pki.cert, key: pki.key });
        closers.push(standby.close);
        const dir = workDir('redirect-https');
        f.inject();
        const result = await run('snapshot-taker', { VAULT_ADDR: standby.url, VAULT_CACERT: pki.caCertPath, VAULT_TOKEN: active.rootToken, SNAPSHOT_FILE: join(dir, 'vault.snap'), VAULT_REVOKE_TOKEN: 'false' });
        expect(result.code).toBe(0);
        expect(JSON.parse(readFileSync(join(dir, 'vault.snap.json'), 'utf8')).source).toBe(active.url);
        expect(active.requests.filter((r) => r.path === '/v1/sys/storage/raft/snapshot')).toHaveLength(1);
      },
    );
  });
});

/** A snapshot of `source` (taken by the real snapshot-taker) and a file with its unseal keys, both in `dir`. */
async function snapshotAndKeys(source: VaultDouble, dir: string): Promise<{ file: string; keys: string }> {
  const file = join(dir, 'vault.snap');
  expect((await run('snapshot-taker', { VAULT_ADDR: source.url, VAULT_TOKEN: await tokenFor(source), SNAPSHOT_FILE: file })).code).toBe(0);
  const keys = join(dir, 'keys');
  writeFileSync(keys, `${source.unsealKeys.join('\n')}\n`, { mode: 0o600 });
  for (const k of source.unsealKeys) keepSecret('source unseal key', k, keys);
  return { file, keys };
}

describe('the temporary root token and the snapshot', () => {
  it('V-REDIRECT-DOWNGRADE-UPLOAD: an https Vault that redirects snapshot-force to plain http never gets the temporary root token or the snapshot sent there', async () => {
    const source = await backupVault();
    const fresh = await backupVault({ initialized: false });
    closers.push(() => source.close(), () => fresh.close());
    await withFault(
      {
        id: 'V-REDIRECT-DOWNGRADE-UPLOAD',
        area: 'Security',
        fault: '307 on snapshot-force from https to http',
        injection: 'restore-runner talks https to a server (test CA) in front of a fresh double that answers POST sys/storage/raft/snapshot-force with 307 to a plain-http recording server',
        expected: 'exit 1 VAULT_REDIRECT; the recording server receives no request (no token, no snapshot byte)',
      },
      async (f) => {
        const dir = workDir('redirect-upload');
        const { file, keys } = await snapshotAndKeys(source, dir);
        const elsewhere = await target();
        const vault = await startRedirector(fresh.url, (_m, path) => (path === '/v1/sys/storage/raft/snapshot-force' ? elsewhere.url : undefined), { cert: pki.cert, key: pki.key });
        closers.push(vault.close);
        f.inject();
        const result = await run('restore-runner', { VAULT_ADDR: vault.url, VAULT_CACERT: pki.caCertPath, SNAPSHOT_FILE: file, VAULT_UNSEAL_KEYS_FILE: keys, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '10s' });
        f.intact('no token and no snapshot byte reach the plain-http target', elsewhere.seen.length === 0);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(lastMsg(result)).toContain('POST /v1/sys/storage/raft/snapshot-force');
      },
    );
  });
});

describe('unseal keys', () => {
  it('V-REDIRECT-PEER-UNSEAL: a follower that answers sys/unseal with 307 elsewhere never gets the source unseal keys sent there', async () => {
    const source = await backupVault({ secretShares: 3, secretThreshold: 2 });
    const fresh = await backupVault({ initialized: false });
    closers.push(() => source.close(), () => fresh.close());
    await withFault(
      {
        id: 'V-REDIRECT-PEER-UNSEAL',
        area: 'Security',
        fault: '307 on a follower\'s sys/unseal',
        injection: 'RESTORE_PEER_ADDRS names a server that looks like a sealed follower (health 503, seal-status t=2) and answers PUT sys/unseal with 307 to a recording server',
        expected: 'exit 1 VAULT_REDIRECT after the leader restored; the recording server receives no request (no source key)',
      },
      async (f) => {
        const dir = workDir('redirect-peer');
        const { file, keys } = await snapshotAndKeys(source, dir);
        const elsewhere = await target();
        const sealed = { type: 'shamir', initialized: true, sealed: true, t: 2, n: 3, progress: 0, version: '1.17.6' };
        const peer = await startHostile((req, res, seen) => {
          req.resume();
          if (seen.path === '/v1/sys/unseal') res.writeHead(307, { location: `${elsewhere.url}/v1/sys/unseal` }).end();
          else if (seen.path === '/v1/sys/health') res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ initialized: true, sealed: true, standby: true }));
          else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sealed));
        });
        closers.push(peer.close);
        f.inject();
        const result = await run('restore-runner', { VAULT_ADDR: fresh.url, SNAPSHOT_FILE: file, VAULT_UNSEAL_KEYS_FILE: keys, HOSTNAME: 'vault-0', RESTORE_PEER_ADDRS: peer.url, RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '10s' });
        f.intact('no source unseal key reaches the redirect target', source.unsealKeys.every((k) => !elsewhere.received().includes(k)));
        f.intact('the redirect target received nothing', elsewhere.seen.length === 0);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_REDIRECT' });
        expect(result.lines.some((l) => l.msg === 'restore applied')).toBe(true);
        expect(await lookupStatus(fresh, source.rootToken)).toBe(200);
      },
    );
  });
});

describe('secrets', () => {
  itLeaksNoSecret();
});
