import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleResult, repoRoot, runBundle, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { parse } from 'yaml';

const POLICY_FILE = join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl');
const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

let vault: VaultDouble;
let dir: string;

beforeEach(async () => {
  vault = await startVaultDouble();
  dir = mkdtempSync(join(tmpdir(), 'setup-'));
});

afterEach(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(env: Record<string, string> = {}, args: string[] = []): Promise<BundleResult> {
  return runBundle('setup', { env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken, VAULT_MAX_RETRIES: '0', ...env }, args });
}

/** Log lines: the CLI logs to stderr, since stdout carries the manifest. */
function logs(r: BundleResult): Record<string, unknown>[] {
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function outcomes(r: BundleResult): Record<string, unknown> {
  return Object.fromEntries(logs(r).filter((l) => l.item).map((l) => [l.item, l.outcome]));
}

// biome-ignore lint/suspicious/noExplicitAny: Vault's JSON responses, read field by field in assertions.
type VaultJson = Record<string, any>;

async function vaultCall(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: VaultJson }> {
  const res = await fetch(`${vault.url}/v1/${path}`, { method, headers: { 'x-vault-token': token }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as VaultJson) : {} };
}

describe('vault-raft-backup-setup', () => {
  it('on a fresh Vault it writes the policy file verbatim, enables AppRole, creates the role and prints a Secret that logs in', async () => {
    const r = await setup();

    expect(r.code).toBe(0);
    expect(outcomes(r)).toEqual({ policy: 'created', auth: 'created', role: 'created', 'secret-id': 'created' });
    const policy = await vaultCall('GET', 'sys/policies/acl/vault-raft-backup', vault.rootToken);
    expect(policy.json.data.policy).toBe(readFileSync(POLICY_FILE, 'utf8'));
    const secret = parse(r.stdout) as { kind: string; metadata: { name: string; namespace: string }; stringData: Record<string, string> };
    expect(secret.kind).toBe('Secret');
    expect(secret.metadata).toMatchObject({ name: 'vault-raft-backup-approle', namespace: 'vault-raft-backup' });
    const login = await vaultCall('POST', 'auth/approle/login', '', { role_id: secret.stringData['role-id'], secret_id: secret.stringData['secret-id'] });
    expect(login.status).toBe(200);
    expect(login.json.auth.token_policies).toContain('vault-raft-backup');
    const snapshot = await fetch(`${vault.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': login.json.auth.client_token } });
    expect(snapshot.status).toBe(200);
    await snapshot.arrayBuffer();
  });

  it('sets the role as manifests/vault/approle-role.json says, with the optional CIDR binding', async () => {
    const r = await setup({ SETUP_BOUND_CIDRS: '10.0.0.0/8, 192.168.0.0/16' });

    expect(r.code).toBe(0);
    const role = (await vaultCall('GET', 'auth/approle/role/vault-raft-backup', vault.rootToken)).json.data;
    expect(role).toMatchObject({ token_ttl: 600, token_max_ttl: 1800, secret_id_ttl: 720 * 3600, secret_id_num_uses: 0, token_num_uses: 0, bind_secret_id: true, token_policies: ['vault-raft-backup'] });
    expect(role.secret_id_bound_cidrs).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(role.token_bound_cidrs).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
  });

  it('run twice, the second run changes nothing but the new secret ID', async () => {
    await setup();
    const from = vault.requests.length;

    const second = await setup();

    expect(second.code).toBe(0);
    expect(outcomes(second)).toEqual({ policy: 'unchanged', auth: 'unchanged', role: 'unchanged', 'secret-id': 'created' });
    const writes = vault.requests.slice(from).filter((q) => WRITES.has(q.method));
    expect(writes.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /v1/auth/approle/role/vault-raft-backup/secret-id']);
  });

  it('with SETUP_NEW_SECRET_ID=false a second run writes nothing and prints no Secret', async () => {
    await setup();
    const from = vault.requests.length;

    const second = await setup({ SETUP_NEW_SECRET_ID: 'false' });

    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    expect(outcomes(second)).toEqual({ policy: 'unchanged', auth: 'unchanged', role: 'unchanged', 'secret-id': 'unchanged' });
    expect(vault.requests.slice(from).filter((q) => WRITES.has(q.method))).toEqual([]);
  });

  it('when the role or the policy drifted, it puts back only what differs and names the changed settings', async () => {
    await setup();
    await vaultCall('POST', 'auth/approle/role/vault-raft-backup', vault.rootToken, { token_ttl: '2h', token_max_ttl: '4h' });

    const r = await setup({ SETUP_NEW_SECRET_ID: 'false' });

    expect(outcomes(r)).toMatchObject({ policy: 'unchanged', role: 'updated' });
    expect(logs(r).find((l) => l.item === 'role')?.changed).toEqual(['token_ttl', 'token_max_ttl']);
    expect((await vaultCall('GET', 'auth/approle/role/vault-raft-backup', vault.rootToken)).json.data.token_ttl).toBe(600);
  });

  it('with SETUP_WRAP_TTL the Secret holds a wrapping token that unwraps to a working secret ID', async () => {
    const r = await setup({ SETUP_WRAP_TTL: '5m' });

    expect(r.code).toBe(0);
    const data = (parse(r.stdout) as { stringData: Record<string, string> }).stringData;
    expect(data['secret-id']).toBeUndefined();
    const unwrapped = await vaultCall('POST', 'sys/wrapping/unwrap', data['secret-id-wrapping-token'] ?? '');
    const login = await vaultCall('POST', 'auth/approle/login', '', { role_id: data['role-id'], secret_id: unwrapped.json.data.secret_id });
    expect(login.status).toBe(200);
  });

  it('with SETUP_OUTPUT it writes the Secret to a file of mode 0600 and nothing to stdout', async () => {
    const file = join(dir, 'secret.yaml');

    const r = await setup({}, [`--output=${file}`]);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(file, 'utf8'))).toMatchObject({ kind: 'Secret', stringData: { 'role-id': expect.any(String), 'secret-id': expect.any(String) } });
  });

  it('never logs the admin token or the secret ID', async () => {
    const r = await setup({ LOG_LEVEL: 'debug' });

    const secretId = (parse(r.stdout) as { stringData: Record<string, string> }).stringData['secret-id'] ?? '';
    expect(secretId).not.toBe('');
    expect(r.stderr).not.toContain(secretId);
    expect(r.stderr).not.toContain(vault.rootToken);
  });

  it('when the mount path holds another auth method, it exits 1 and says what to change', async () => {
    await vaultCall('POST', 'sys/auth/approle', vault.rootToken, { type: 'userpass' });

    const r = await setup();

    expect(r.code).toBe(1);
    expect(logs(r).at(-1)).toMatchObject({ level: 'error', code: 'SETUP_CONFLICT' });
    expect(String(logs(r).at(-1)?.msg)).toMatch(/approle\/ exists but is of type userpass/);
    expect(r.stdout).toBe('');
  });

  it('without an admin token it exits 2 before calling Vault', async () => {
    const r = await runBundle('setup', { env: { VAULT_ADDR: vault.url } });

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/VAULT_TOKEN: is required/);
    expect(vault.requests).toEqual([]);
  });

  it('when the admin token is not allowed, it exits 1 naming the call', async () => {
    const r = await setup({ VAULT_TOKEN: 'not-a-token' });

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/403.*sys\/policies\/acl\/vault-raft-backup/);
  });
});
