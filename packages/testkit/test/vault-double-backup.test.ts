import { join } from 'node:path';
import { verifySnapshotFile } from '@vault-raft-backup/common';
import { startVaultDouble, type VaultDouble } from '../src/index';
import { api, downloadSnapshot, SNAPSHOT_POLICY, tempDir } from './vault-double-helpers';

let double: VaultDouble;
let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  double = await startVaultDouble();
  tmp = await tempDir();
  double.writePolicy('snapshot', SNAPSHOT_POLICY);
});
afterAll(async () => {
  await double.close();
  await tmp.cleanup();
});

async function loginToken(): Promise<string> {
  const { roleId, secretId } = double.createAppRole(`r${Math.random().toString(36).slice(2, 8)}`, { token_policies: ['snapshot'], token_ttl: '5m' });
  const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
  return res.json.auth.client_token as string;
}

describe('health and seal status', () => {
  it('reports an active, unsealed, initialized node with 200', async () => {
    const res = await api(double.url, 'GET', 'sys/health');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ initialized: true, sealed: false, standby: false });
  });

  it('honours activecode in the query', async () => {
    expect((await api(double.url, 'GET', 'sys/health?activecode=299')).status).toBe(299);
  });

  it('shows shamir type, threshold and shares in seal-status', async () => {
    const res = await api(double.url, 'GET', 'sys/seal-status');
    expect(res.json).toMatchObject({ type: 'shamir', initialized: true, sealed: false, t: 3, n: 5, progress: 0, storage_type: 'raft' });
  });
});

describe('AppRole login', () => {
  it('returns a token with the role policies', async () => {
    const { roleId, secretId } = double.createAppRole('backup', { token_policies: ['snapshot'], token_ttl: 300 });
    const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    expect(res.status).toBe(200);
    expect(res.json.auth).toMatchObject({ token_policies: ['default', 'snapshot'], lease_duration: 300, renewable: true });
    expect(res.json.auth.client_token).toMatch(/^hvs\./);
  });

  it('answers 400 invalid role or secret ID for a wrong secret', async () => {
    const { roleId } = double.createAppRole('wrong-secret', { token_policies: ['snapshot'] });
    const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: 'nope' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json).toEqual({ errors: ['invalid role or secret ID'] });
  });

  it('answers missing role_id and missing secret_id', async () => {
    const { roleId } = double.createAppRole('missing', { token_policies: ['snapshot'] });
    expect((await api(double.url, 'POST', 'auth/approle/login', { body: {} })).json).toEqual({ errors: ['missing role_id'] });
    expect((await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId } })).json).toEqual({ errors: ['missing secret_id'] });
  });

  it('locks the role out with 403 after 5 failed logins, even with the right secret', async () => {
    const { roleId, secretId } = double.createAppRole('lockout', { token_policies: ['snapshot'] });
    const bad = { role_id: roleId, secret_id: 'wrong' };
    for (let i = 0; i < 5; i++) expect((await api(double.url, 'POST', 'auth/approle/login', { body: bad })).status).toBe(400);
    const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: ['permission denied'] });
  });

  it('refuses a secret ID bound to another network with the exact CIDR message', async () => {
    const { roleId, secretId } = double.createAppRole('cidr', { token_policies: ['snapshot'], secret_id_bound_cidrs: ['10.0.0.0/8'] });
    const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toContain('unauthorized through CIDR restrictions');
  });
});

describe('token lookup and revoke', () => {
  it('looks up its own ttl and policies, then revoke-self answers 204 and the token stops working', async () => {
    const token = await loginToken();
    const lookup = await api(double.url, 'GET', 'auth/token/lookup-self', { token });
    expect(lookup.status).toBe(200);
    expect(lookup.json.data.policies).toEqual(['default', 'snapshot']);
    expect(lookup.json.data.ttl).toBeGreaterThan(200);
    const revoke = await api(double.url, 'POST', 'auth/token/revoke-self', { token });
    expect(revoke.status).toBe(204);
    expect(revoke.text).toBe('');
    expect((await api(double.url, 'GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  });
});

describe('snapshot GET', () => {
  it('streams a valid archive as application/gzip without Content-Length', async () => {
    double.putSecret('app/config', { password: 'p1' });
    const file = join(tmp.dir, 'ok.snap');
    const res = await downloadSnapshot(double.url, await loginToken(), file);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toBe('attachment');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const info = await verifySnapshotFile(file);
    expect(info.entries).toEqual(['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed']);
    expect(info.id).toBe('bolt-snapshot');
    expect(info.index).toBeGreaterThan(1);
  });

  it('answers 403 permission denied without the snapshot policy, and for no or revoked tokens', async () => {
    const { roleId, secretId } = double.createAppRole('no-snapshot', { token_policies: ['default'] });
    const login = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    for (const token of [login.json.auth.client_token, undefined, 'hvs.revokedOrUnknown']) {
      const res = await api(double.url, 'GET', 'sys/storage/raft/snapshot', { token });
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ errors: ['permission denied'] });
    }
  });

  it('carries the filler bytes in state.bin', async () => {
    const big = await startVaultDouble({ fillerBytes: 3 * 1024 * 1024 + 17 });
    try {
      const file = join(tmp.dir, 'filler.snap');
      await downloadSnapshot(big.url, big.rootToken, file);
      const info = await verifySnapshotFile(file);
      expect(info.stateBytes).toBeGreaterThan(3 * 1024 * 1024 + 17);
    } finally {
      await big.close();
    }
  });
});
