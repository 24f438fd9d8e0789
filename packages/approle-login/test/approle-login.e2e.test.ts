import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';

let d: VaultDouble;
let work: string;
let role: { roleId: string; secretId: string };

beforeAll(async () => {
  d = await startVaultDouble();
  d.writePolicy('snapshot', 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }');
  role = d.createAppRole('backup', { token_policies: ['snapshot'] });
});
afterAll(() => d.close());
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'approle-login-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function run(env: Record<string, string>, node: 'system' | 'node24' = 'system') {
  return runBundle('approle-login', { env: { VAULT_ADDR: d.url, VAULT_MAX_RETRIES: '2', ...env }, node });
}

describe('approle-login bundle', () => {
  it.each(['system', 'node24'] as const)('on Node %s, it writes a working token with mode 0600 and never prints it', async (node) => {
    const tokenFile = join(work, 'token');
    const result = await run({ VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: tokenFile }, node);
    expect(result.code).toBe(0);
    const token = readFileSync(tokenFile, 'utf8');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const snap = await fetch(`${d.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': token } });
    expect(snap.status).toBe(200);
    await snap.body?.cancel();
    for (const secret of [token, role.roleId, role.secretId]) expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readdirSync(work)).toEqual(['token']);
  });

  it('reads role and secret ID from files', async () => {
    writeFileSync(join(work, 'role-id'), `${role.roleId}\n`);
    writeFileSync(join(work, 'secret-id'), `${role.secretId}\n`);
    const result = await run({ VAULT_ROLE_ID_FILE: join(work, 'role-id'), VAULT_SECRET_ID_FILE: join(work, 'secret-id'), VAULT_TOKEN_FILE: join(work, 'token') });
    expect(result.code).toBe(0);
  });

  it('when the secret ID is wrong, it exits 1 with Vault\'s message and logs no secret', async () => {
    const wrong = 'b2c1e0f4-0000-4000-8000-000000000bad';
    const result = await run({ VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: wrong, VAULT_TOKEN_FILE: join(work, 'token') });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_LOGIN_FAILED', msg: 'Vault login failed (400 invalid role or secret ID): POST /v1/auth/approle/login' });
    for (const secret of [wrong, role.roleId]) expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readdirSync(work)).toEqual([]);
  });

  it('when Vault answers 500 then 429 on login, it retries and succeeds', async () => {
    d.faults.failNext = { path: '/v1/auth/approle/login', status: 500, times: 2 };
    const result = await run({ VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(work, 'token') });
    expect(result.code).toBe(0);
    expect(result.lines.filter((l) => l.msg === 'Vault call failed, retrying')).toHaveLength(2);
  });

  it('when configuration is missing, it exits 2 listing every problem', async () => {
    const result = await run({ VAULT_ADDR: 'ftp://x', VAULT_SKIP_VERIFY: 'maybe' });
    expect(result.code).toBe(2);
    const msg = String(result.lines.at(-1)?.msg);
    for (const name of ['VAULT_ADDR', 'VAULT_SKIP_VERIFY', 'VAULT_ROLE_ID', 'VAULT_SECRET_ID', 'VAULT_TOKEN_FILE']) expect(msg).toContain(`${name}:`);
    expect(d.requests.some((r) => r.path === '/v1/auth/approle/login' && r.status === 0)).toBe(false);
  });
});
