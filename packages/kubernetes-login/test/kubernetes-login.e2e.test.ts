import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleResult, createServiceAccountIssuer, runBundle, type ServiceAccountIssuer, setUpServiceAccountAuth, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { projectToken } from './helpers';

const NS = 'vault-raft-backup';
const SA = 'vault-raft-backup';
let d: VaultDouble;
let issuer: ServiceAccountIssuer;
let work: string;

beforeAll(async () => {
  d = await startVaultDouble();
  issuer = createServiceAccountIssuer();
  d.writePolicy('snapshot', 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }\npath "auth/token/revoke-self" { capabilities = ["update"] }');
  await setUpServiceAccountAuth(d, { publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: NS, serviceAccount: SA, policies: ['snapshot'] });
  await setUpServiceAccountAuth(d, { type: 'jwt', publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: NS, serviceAccount: SA, policies: ['snapshot'] });
});
afterAll(() => d.close());
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kubernetes-login-'));
  mkdirSync(join(work, 'sa'));
  mkdirSync(join(work, 'vault-token'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function run(env: Record<string, string>, node: 'system' | 'node24' = 'system'): Promise<BundleResult> {
  return runBundle('kubernetes-login', { env: { VAULT_ADDR: d.url, VAULT_MAX_RETRIES: '0', VAULT_AUTH_ROLE: 'backup', VAULT_TOKEN_FILE: join(work, 'vault-token', 'token'), ...env }, node });
}

/** A token file in a projected-volume layout under the test's folder. */
function jwtFile(token: string, generation = 1): string {
  return projectToken(join(work, 'sa'), token, generation);
}

const output = (r: BundleResult) => `${r.stdout}${r.stderr}`;

function written(file: string, text: string): string {
  writeFileSync(file, text);
  return file;
}

describe('kubernetes-login bundle', () => {
  it.each(['system', 'node24'] as const)('on Node %s, it logs in with the projected ServiceAccount token and writes a working Vault token with mode 0600, printing neither', async (node) => {
    const jwt = issuer.mint({ namespace: NS, serviceAccount: SA });

    const result = await run({ VAULT_JWT_FILE: jwtFile(jwt) }, node);

    expect(result.code).toBe(0);
    const tokenFile = join(work, 'vault-token', 'token');
    const token = readFileSync(tokenFile, 'utf8');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const snap = await fetch(`${d.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': token } });
    expect(snap.status).toBe(200);
    await snap.body?.cancel();
    expect(result.lines[0]).toMatchObject({ msg: 'logging in with a ServiceAccount token', mount: 'kubernetes', role: 'backup', namespace: NS, serviceAccount: SA, audiences: ['vault'] });
    expect(result.lines.at(-1)).toMatchObject({ msg: 'logged in, token written' });
    for (const secret of [token, jwt, jwt.split('.')[2] ?? '']) expect(output(result)).not.toContain(secret);
    expect(readdirSync(join(work, 'vault-token'))).toEqual(['token']);
  });

  it('reads the token at login time: after the kubelet swapped in a new token, the next run uses the new one', async () => {
    const file = jwtFile(issuer.mint({ namespace: NS, serviceAccount: SA, issuedAt: Math.floor(Date.now() / 1000) - 7200 }), 1);
    const stale = await run({ VAULT_JWT_FILE: file });

    projectToken(join(work, 'sa'), issuer.mint({ namespace: NS, serviceAccount: SA }), 2);
    const fresh = await run({ VAULT_JWT_FILE: file });

    expect(stale.code).toBe(1);
    expect(stale.lines.at(-1)?.msg).toMatch(/token is expired/);
    expect(fresh.code).toBe(0);
  });

  it('logs in to a JWT auth mount the same way', async () => {
    const result = await run({ VAULT_AUTH_MOUNT: 'jwt', VAULT_JWT_FILE: jwtFile(issuer.mint({ namespace: NS, serviceAccount: SA })) });

    expect(result.code).toBe(0);
    expect(readdirSync(join(work, 'vault-token'))).toEqual(['token']);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['another ServiceAccount', { serviceAccount: 'default' }, {}, /^Vault login failed \(403 service account name not authorized\): POST \/v1\/auth\/kubernetes\/login; fix on either side: the token is for ServiceAccount "default" in namespace "vault-raft-backup", a name the role "backup" does not list in bound_service_account_names/],
    ['another namespace', { namespace: 'default' }, {}, /^Vault login failed \(403 namespace not authorized\): .*; fix on either side: .*namespace "default", a namespace the role "backup" does not list in bound_service_account_namespaces/],
    ['another audience', { audience: 'https://kubernetes.default.svc' }, {}, /^Vault login failed \(403 invalid audience \(aud\) claim: audience claim does not match any expected audience\): .*the token's audience is "https:\/\/kubernetes.default.svc", not the role "backup"'s audience: set the projected token's audience/],
    ['an expired token', { issuedAt: now() - 3600 }, {}, /^Vault login failed \(403 invalid expiration time \(exp\) claim: token is expired\): .*; fix on the pod: the token in .* expired at \d{4}-.*: mount a projected serviceAccountToken volume/],
    ['a token of another cluster', {}, { otherIssuer: true }, /^Vault login failed \(403 permission denied\): .*; fix on either side: Vault could not verify the token/],
    ['an unknown role', {}, { VAULT_AUTH_ROLE: 'nope' }, /^Vault login failed \(400 invalid role name "nope"\): .*; fix on the Vault side: there is no role "nope" on auth\/kubernetes/],
    ['a subject the JWT role does not bind', { namespace: 'default' }, { VAULT_AUTH_MOUNT: 'jwt' }, /^Vault login failed \(400 error validating token: invalid subject \(sub\) claim\): POST \/v1\/auth\/jwt\/login; fix on either side: the token's subject is "system:serviceaccount:default:vault-raft-backup", not the bound_subject/],
    ['a mount that is not enabled', {}, { VAULT_AUTH_MOUNT: 'k8s' }, /^Vault login failed \(404 .*\): POST \/v1\/auth\/k8s\/login; fix on either side: there is no Kubernetes or JWT auth method at auth\/k8s/],
  ] as const)('when Vault refuses %s, it exits 1 with Vault\'s message, what to fix on which side, and no secret', async (_what, claims, extra, message) => {
    const { otherIssuer, ...env } = extra as { otherIssuer?: boolean } & Record<string, string>;
    const jwt = (otherIssuer ? createServiceAccountIssuer() : issuer).mint({ namespace: NS, serviceAccount: SA, ...claims });

    const result = await run({ VAULT_JWT_FILE: jwtFile(jwt), ...env });

    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_LOGIN_FAILED', msg: expect.stringMatching(message) });
    expect(output(result)).not.toContain(jwt);
    expect(readdirSync(join(work, 'vault-token'))).toEqual([]);
  });

  it('when the auth mount has no config, it says what the Vault side must write', async () => {
    await fetch(`${d.url}/v1/sys/auth/bare`, { method: 'POST', headers: { 'x-vault-token': d.rootToken }, body: JSON.stringify({ type: 'kubernetes' }) });
    await fetch(`${d.url}/v1/auth/bare/role/backup`, { method: 'POST', headers: { 'x-vault-token': d.rootToken }, body: JSON.stringify({ bound_service_account_names: SA, bound_service_account_namespaces: NS, audience: 'vault' }) });

    const result = await run({ VAULT_AUTH_MOUNT: 'bare', VAULT_JWT_FILE: jwtFile(issuer.mint({ namespace: NS, serviceAccount: SA })) });

    expect(result.code).toBe(1);
    expect(result.lines.at(-1)?.msg).toMatch(/^Vault login failed \(500 could not load backend configuration\): .*; fix on the Vault side: auth\/bare is not configured: write auth\/bare\/config \(kubernetes_host/);
  });

  it('when the Vault token cannot be written, it exits 1 and revokes that token', async () => {
    const revokedBefore = d.state().revokedTokens;

    const result = await run({ VAULT_JWT_FILE: jwtFile(issuer.mint({ namespace: NS, serviceAccount: SA })), VAULT_TOKEN_FILE: join(work, 'no-such-folder', 'token') });

    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'FILE_IO' });
    expect(result.lines.some((l) => l.msg === 'token revoked, as it could not be written')).toBe(true);
    expect(d.state().revokedTokens).toBe(revokedBefore + 1);
  });

  it.each([
    ['missing', (dir: string) => join(dir, 'nothing-here'), /^invalid configuration:\n {2}- VAULT_JWT_FILE: cannot read .*nothing-here \(ENOENT\): the pod has no ServiceAccount token there: with automountServiceAccountToken: false .* mount a projected serviceAccountToken volume/],
    ['empty', (dir: string) => written(join(dir, 'empty'), '\n'), /VAULT_JWT_FILE: file .*empty is empty: the kubelet has not written the projected token yet/],
    ['a folder', (dir: string) => dir, /VAULT_JWT_FILE: cannot read .* \(EISDIR\): that is a folder/],
    ['not a JWT', (dir: string) => written(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), /VAULT_JWT_FILE: file .*ca.crt does not hold a JWT/],
  ] as const)('when the ServiceAccount token file is %s, it exits 2 naming the path and the likely cause, before calling Vault', async (_what, makeFile, message) => {
    const before = d.requests.length;

    const result = await run({ VAULT_JWT_FILE: makeFile(join(work, 'sa')) });

    expect(result.code).toBe(2);
    expect(result.lines.at(-1)).toMatchObject({ code: 'CONFIG_INVALID', msg: expect.stringMatching(message) });
    expect(d.requests.slice(before)).toEqual([]);
  });

  it('when configuration is missing or wrong, it exits 2 listing every problem', async () => {
    const result = await runBundle('kubernetes-login', { env: { VAULT_ADDR: 'ftp://x', VAULT_AUTH_MOUNT: 'k8s auth', VAULT_JWT_FILE: 'token' } });

    expect(result.code).toBe(2);
    const msg = String(result.lines.at(-1)?.msg);
    for (const name of ['VAULT_ADDR', 'VAULT_AUTH_ROLE', 'VAULT_AUTH_MOUNT', 'VAULT_JWT_FILE', 'VAULT_TOKEN_FILE']) expect(msg).toContain(`${name}:`);
  });

  it('--help lists every variable with its default and exits 0', async () => {
    const result = await runBundle('kubernetes-login', { args: ['--help'] });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kubernetes-login: log in to Vault with the pod's ServiceAccount token/);
    for (const name of ['VAULT_AUTH_ROLE', 'VAULT_AUTH_MOUNT', 'VAULT_JWT_FILE', 'VAULT_TOKEN_FILE', 'VAULT_ADDR']) expect(result.stdout).toContain(name);
    expect(result.stdout).toContain('/var/run/secrets/kubernetes.io/serviceaccount/token');
  });
});
