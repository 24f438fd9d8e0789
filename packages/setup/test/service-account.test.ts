import { type BundleResult, createServiceAccountIssuer, runBundle, type ServiceAccountIssuer, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const NS = 'vault-raft-backup';
const SA = 'vault-raft-backup';

let vault: VaultDouble;
let issuer: ServiceAccountIssuer;

beforeAll(() => {
  issuer = createServiceAccountIssuer();
});
beforeEach(async () => {
  vault = await startVaultDouble();
});
afterEach(() => vault.close());

function setup(args: string[], env: Record<string, string> = {}): Promise<BundleResult> {
  return runBundle('setup', { env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, VAULT_MAX_RETRIES: '0', ...env }, args });
}

function logs(r: BundleResult): Record<string, unknown>[] {
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const outcomes = (r: BundleResult) => Object.fromEntries(logs(r).filter((l) => l.item).map((l) => [l.item, l.outcome]));

// biome-ignore lint/suspicious/noExplicitAny: Vault's JSON responses, read field by field in assertions.
async function vaultCall(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${vault.url}/v1/${path}`, { method, headers: { 'x-vault-token': vault.rootToken }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

async function loginStatus(mount: string, jwt: string): Promise<number> {
  return (await fetch(`${vault.url}/v1/auth/${mount}/login`, { method: 'POST', body: JSON.stringify({ role: 'vault-raft-backup', jwt }) })).status;
}

describe('vault-raft-backup-setup --auth kubernetes', () => {
  it('on a configured mount it writes the policy and a role bound to the backup ServiceAccount, namespace and audience, with a short TTL, and prints nothing', async () => {
    await vaultCall('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
    await vaultCall('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [issuer.publicKeyPem] });

    const r = await setup(['--auth', 'kubernetes']);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(outcomes(r)).toEqual({ policy: 'created', auth: 'unchanged', role: 'created', config: 'unchanged' });
    const role = (await vaultCall('GET', 'auth/kubernetes/role/vault-raft-backup')).json.data;
    expect(role).toMatchObject({ bound_service_account_names: [SA], bound_service_account_namespaces: [NS], audience: 'vault', token_policies: ['vault-raft-backup'], token_ttl: 600, token_max_ttl: 1800 });
    expect(await loginStatus('kubernetes', issuer.mint({ namespace: NS, serviceAccount: SA }))).toBe(200);
    expect(await loginStatus('kubernetes', issuer.mint({ namespace: 'default', serviceAccount: SA }))).toBe(403);
  });

  it('when the mount is missing, it exits 1 saying what to enable and enables nothing', async () => {
    const r = await setup(['--auth', 'kubernetes']);

    expect(r.code).toBe(1);
    expect(logs(r).at(-1)).toMatchObject({ level: 'error', code: 'SETUP_MOUNT_MISSING' });
    expect(String(logs(r).at(-1)?.msg)).toMatch(/no kubernetes auth method at auth\/kubernetes\/: enable it on the Vault side \(vault auth enable -path=kubernetes kubernetes, .*\), or let setup enable it with --enable-mount=true/);
    expect(vault.requests.filter((q) => q.path.startsWith('/v1/sys/auth/') && WRITES.has(q.method))).toEqual([]);
  });

  it('with --enable-mount it enables the method, never writes its config, and says what the Vault side still needs', async () => {
    const r = await setup(['--auth', 'kubernetes', '--enable-mount', 'true', '--namespace', 'backup', '--audience', 'vault-backup']);

    expect(r.code).toBe(0);
    expect(outcomes(r)).toEqual({ policy: 'created', auth: 'created', role: 'created', config: 'missing' });
    const warning = logs(r).find((l) => l.item === 'config');
    expect(warning).toMatchObject({ level: 'warn' });
    expect(String(warning?.msg)).toMatch(/^auth\/kubernetes cannot verify ServiceAccount tokens yet; on the Vault side run: vault write auth\/kubernetes\/config kubernetes_host=https:\/\/kubernetes.default.svc:443/);
    expect(vault.requests.filter((q) => q.path === '/v1/auth/kubernetes/config' && WRITES.has(q.method))).toEqual([]);
    expect((await vaultCall('GET', 'auth/kubernetes/role/vault-raft-backup')).json.data).toMatchObject({ bound_service_account_namespaces: ['backup'], audience: 'vault-backup' });
  });

  it('run twice, the second run writes nothing', async () => {
    await vaultCall('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
    await vaultCall('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc' });
    await setup(['--auth', 'kubernetes']);
    const from = vault.requests.length;

    const second = await setup(['--auth', 'kubernetes']);

    expect(second.code).toBe(0);
    expect(outcomes(second)).toEqual({ policy: 'unchanged', auth: 'unchanged', role: 'unchanged', config: 'unchanged' });
    expect(vault.requests.slice(from).filter((q) => WRITES.has(q.method))).toEqual([]);
  });

  it('when the role drifted, it puts back only what differs and names it', async () => {
    await setup(['--auth', 'kubernetes', '--enable-mount=true']);
    await vaultCall('POST', 'auth/kubernetes/role/vault-raft-backup', { audience: 'other', token_ttl: '4h', token_max_ttl: '8h' });

    const r = await setup(['--auth', 'kubernetes']);

    expect(outcomes(r)).toMatchObject({ role: 'updated' });
    expect(logs(r).find((l) => l.item === 'role')?.changed).toEqual(['audience', 'token_ttl', 'token_max_ttl']);
  });

  it('when the mount path holds another auth method, it exits 1 and says what to change', async () => {
    await vaultCall('POST', 'sys/auth/kubernetes', { type: 'approle' });

    const r = await setup(['--auth', 'kubernetes', '--enable-mount=true']);

    expect(r.code).toBe(1);
    expect(logs(r).at(-1)).toMatchObject({ code: 'SETUP_CONFLICT', msg: expect.stringMatching(/auth mount kubernetes\/ exists but is of type approle, not kubernetes: choose another SETUP_AUTH_MOUNT/) });
  });
});

describe('vault-raft-backup-setup --auth jwt', () => {
  it('writes a jwt role with the ServiceAccount as bound_subject, the audience and user_claim sub, which logs that ServiceAccount in', async () => {
    await vaultCall('POST', 'sys/auth/k8s-jwt', { type: 'jwt' });
    await vaultCall('POST', 'auth/k8s-jwt/config', { jwt_validation_pubkeys: [issuer.publicKeyPem] });

    const r = await setup(['--auth', 'jwt', '--auth-mount', 'k8s-jwt']);

    expect(r.code).toBe(0);
    expect(outcomes(r)).toEqual({ policy: 'created', auth: 'unchanged', role: 'created', config: 'unchanged' });
    const role = (await vaultCall('GET', 'auth/k8s-jwt/role/vault-raft-backup')).json.data;
    expect(role).toMatchObject({ role_type: 'jwt', bound_subject: `system:serviceaccount:${NS}:${SA}`, bound_audiences: ['vault'], user_claim: 'sub', token_ttl: 600 });
    expect(await loginStatus('k8s-jwt', issuer.mint({ namespace: NS, serviceAccount: SA }))).toBe(200);
  });

  it('on a mount without keys, says what the Vault side still needs', async () => {
    const r = await setup(['--auth', 'jwt', '--enable-mount=true']);

    expect(r.code).toBe(0);
    expect(String(logs(r).find((l) => l.item === 'config')?.msg)).toMatch(/vault write auth\/jwt\/config oidc_discovery_url=/);
  });
});

describe('vault-raft-backup-setup configuration', () => {
  it('refuses AppRole-only settings with kubernetes, SETUP_AUTH_MOUNT with approle and an unknown method, before calling Vault', async () => {
    const approleOnly = await setup(['--auth', 'kubernetes', '--wrap-ttl', '5m']);
    const mountForApprole = await setup(['--auth-mount', 'kubernetes']);
    const unknown = await setup(['--auth', 'ldap']);

    expect([approleOnly.code, mountForApprole.code, unknown.code]).toEqual([2, 2, 2]);
    expect(approleOnly.stderr).toMatch(/SETUP_AUTH: kubernetes and jwt create no secret: SETUP_WRAP_TTL and SETUP_OUTPUT are for approle only/);
    expect(mountForApprole.stderr).toMatch(/SETUP_AUTH_MOUNT: is for kubernetes and jwt: the AppRole mount is SETUP_APPROLE_MOUNT/);
    expect(unknown.stderr).toMatch(/SETUP_AUTH: must be approle, kubernetes or jwt/);
    expect(vault.requests).toEqual([]);
  });
});
