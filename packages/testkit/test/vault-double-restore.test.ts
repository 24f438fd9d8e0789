import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startVaultDouble, type VaultDouble } from '../src/index';
import { api, downloadSnapshot, tempDir, unsealWith, uploadSnapshot, waitUntil } from './vault-double-helpers';

const FOREIGN = 'could not verify hash file, possibly the snapshot is using a different set of unseal keys; use the snapshot-force API to bypass this check';
const FOREIGN_AUTOSEAL = 'could not verify hash file, possibly the snapshot is using a different autoseal key; use the snapshot-force API to bypass this check';
const WRONG_KEY = 'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed';

let tmp: { dir: string; cleanup: () => Promise<void> };
const doubles: VaultDouble[] = [];

async function start(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const double = await startVaultDouble({ restoreDelayMs: 30, ...options });
  doubles.push(double);
  return double;
}

async function snapshotOf(double: VaultDouble, name: string): Promise<string> {
  const file = join(tmp.dir, name);
  const res = await downloadSnapshot(double.url, double.rootToken, file);
  expect(res.status).toBe(200);
  return file;
}

const sealed = async (url: string) => (await api(url, 'GET', 'sys/seal-status')).json.sealed === true;

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await tmp.cleanup();
});

describe('restore into a fresh Shamir cluster', () => {
  let source: VaultDouble;
  let file: string;

  beforeAll(async () => {
    source = await start({ secretShares: 3, secretThreshold: 2 });
    source.putSecret('app/config', { password: 'from-source' });
    file = await snapshotOf(source, 'source.snap');
  });

  it('refuses a non-force restore from another cluster with 400 and the exact message', async () => {
    const target = await start({ secretShares: 1, secretThreshold: 1 });
    const res = await uploadSnapshot(target.url, target.rootToken, file, false);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ errors: [FOREIGN] });
    expect(target.state().restoresAccepted).toBe(0);
  });

  it('accepts snapshot-force with 204, seals, unseals with the source keys at the source threshold, and the source data and token work', async () => {
    const target = await start({ secretShares: 3, secretThreshold: 2 });
    const res = await uploadSnapshot(target.url, target.rootToken, file, true);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    await waitUntil(() => sealed(target.url));
    expect((await api(target.url, 'GET', 'sys/seal-status')).json).toMatchObject({ t: 2, n: 3 });
    await api(target.url, 'PUT', 'sys/unseal', { body: { key: source.unsealKeys[0] } });
    const status = await api(target.url, 'PUT', 'sys/unseal', { body: { key: source.unsealKeys[2] } });
    expect(status.json.sealed).toBe(false);
    const secret = await api(target.url, 'GET', 'secret/app/config', { token: source.rootToken });
    expect(secret.status).toBe(200);
    expect(secret.json.data).toEqual({ password: 'from-source' });
    expect((await api(target.url, 'GET', 'auth/token/lookup-self', { token: target.rootToken })).status).toBe(403);
    expect(target.state().restoresApplied).toBe(1);
  });

  it('does not accept the fresh cluster keys after the restore', async () => {
    const target = await start({ secretShares: 3, secretThreshold: 2 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => sealed(target.url));
    await api(target.url, 'PUT', 'sys/unseal', { body: { key: target.unsealKeys[0] } });
    const res = await api(target.url, 'PUT', 'sys/unseal', { body: { key: target.unsealKeys[1] } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [WRONG_KEY] });
    expect(await sealed(target.url)).toBe(true);
  });

  it('restores its own snapshot without force and stays unsealed', async () => {
    const own = await snapshotOf(source, 'own.snap');
    source.putSecret('app/later', { v: 1 });
    expect((await uploadSnapshot(source.url, source.rootToken, own, false)).status).toBe(204);
    await waitUntil(() => source.state().restoresApplied === 1);
    expect(await sealed(source.url)).toBe(false);
    expect(source.getSecret('app/later')).toBeUndefined();
    expect(source.getSecret('app/config')).toEqual({ password: 'from-source' });
  });

  it('answers 500 failed to read snapshot file for a corrupt or truncated upload', async () => {
    const target = await start({});
    const bytes = await readFile(file);
    const corrupt = join(tmp.dir, 'corrupt.snap');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] = (flipped[Math.floor(bytes.length / 2)] ?? 0) ^ 0xff;
    await writeFile(corrupt, flipped);
    const bad = await uploadSnapshot(target.url, target.rootToken, corrupt, true);
    expect(bad.status).toBe(500);
    expect(JSON.parse(bad.body).errors[0]).toMatch(/^failed to read snapshot file: /);
    const truncated = join(tmp.dir, 'truncated.snap');
    await writeFile(truncated, bytes);
    await truncate(truncated, bytes.length - 100);
    const cut = await uploadSnapshot(target.url, target.rootToken, truncated, true);
    expect(cut.status).toBe(500);
    expect(JSON.parse(cut.body).errors).toEqual(['failed to read snapshot file: unexpected EOF']);
    expect(await sealed(target.url)).toBe(false);
  });

  it('restores a large filler snapshot and keeps its size on the next snapshot', async () => {
    const big = await start({ fillerBytes: 5 * 1024 * 1024 });
    const bigFile = await snapshotOf(big, 'big.snap');
    const target = await start({});
    expect((await uploadSnapshot(target.url, target.rootToken, bigFile, true)).status).toBe(204);
    await waitUntil(() => sealed(target.url));
    for (const key of big.unsealKeys.slice(0, 3)) await api(target.url, 'PUT', 'sys/unseal', { body: { key } });
    const again = join(tmp.dir, 'again.snap');
    const res = await downloadSnapshot(target.url, big.rootToken, again);
    expect(res.bytes).toBeGreaterThan(5 * 1024 * 1024);
  });
});

describe('restore with auto-unseal', () => {
  it('comes back unsealed when the target reaches the same KMS key, with the source recovery config', async () => {
    const source = await start({ sealType: 'awskms', kmsKeyId: 'shared', secretShares: 5, secretThreshold: 3 });
    source.putSecret('x', { y: 'z' });
    const file = await snapshotOf(source, 'kms.snap');
    const target = await start({ sealType: 'awskms', kmsKeyId: 'shared', secretShares: 1, secretThreshold: 1 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, false)).status).toBe(204);
    await waitUntil(() => target.state().restoresApplied === 1);
    expect((await api(target.url, 'GET', 'sys/seal-status')).json).toMatchObject({ sealed: false, t: 3, n: 5 });
    expect((await api(target.url, 'GET', 'secret/x', { token: source.rootToken })).json.data).toEqual({ y: 'z' });
  });

  it('stays sealed when the snapshot was sealed with another KMS key, and its recovery keys cannot unseal it', async () => {
    const source = await start({ sealType: 'awskms', kmsKeyId: 'key-1' });
    const file = await snapshotOf(source, 'kms1.snap');
    const target = await start({ sealType: 'awskms', kmsKeyId: 'key-2' });
    const refused = await uploadSnapshot(target.url, target.rootToken, file, false);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ errors: [FOREIGN_AUTOSEAL] });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().restoresApplied === 1);
    expect(await sealed(target.url)).toBe(true);
    const res = await unsealWith(target.url, source.unsealKeys.slice(0, 3));
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatch(/^invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys/);
  });

  it('unseals a sealed auto-unseal node with the threshold of recovery keys when its KMS key opens storage', async () => {
    const target = await start({ sealType: 'gcpckms', secretShares: 3, secretThreshold: 2 });
    target.seal();
    const wrong = await unsealWith(target.url, [target.unsealKeys[0] ?? '', target.unsealKeys[0] ?? '']);
    expect(wrong.json).toMatchObject({ sealed: true, progress: 1, t: 2, n: 3, recovery_seal: true });
    expect((await unsealWith(target.url, target.unsealKeys.slice(1, 2))).json).toMatchObject({ sealed: false });
  });
});

describe('restore on a 3-node cluster', () => {
  it('redirects a standby upload with 307 and seals every node after the restore', async () => {
    const source = await start({ secretShares: 1, secretThreshold: 1 });
    const file = await snapshotOf(source, 'three.snap');
    const target = await start({ nodes: 3, secretShares: 1, secretThreshold: 1 });
    const standby = target.nodes[2]?.url ?? '';
    const redirected = await api(standby, 'POST', 'sys/storage/raft/snapshot-force', { token: target.rootToken });
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe(`${target.url}/v1/sys/storage/raft/snapshot-force`);
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().sealed.every(Boolean));
    for (const node of target.nodes) expect((await api(node.url, 'GET', 'sys/health')).status).toBe(503);
    await api(target.url, 'PUT', 'sys/unseal', { body: { key: source.unsealKeys[0] } });
    expect((await api(target.url, 'GET', 'sys/health')).status).toBe(200);
    expect(await sealed(target.nodes[1]?.url ?? '')).toBe(true);
    await api(target.nodes[1]?.url ?? '', 'PUT', 'sys/unseal', { body: { key: source.unsealKeys[0] } });
    expect((await api(target.nodes[1]?.url ?? '', 'GET', 'sys/health')).status).toBe(429);
  });
});

describe('restore faults', () => {
  it('restoreFails answers 500 or 503 after reading the upload and changes nothing', async () => {
    const target = await start({});
    const file = await snapshotOf(target, 'self.snap');
    target.faults.restoreFails = '500';
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(500);
    target.faults.restoreFails = 'sealed';
    const res = await uploadSnapshot(target.url, target.rootToken, file, true);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ errors: ['Vault is sealed'] });
    expect(target.state().restoresAccepted).toBe(0);
  });

  it('answers 403 to a restore without update on the path', async () => {
    const target = await start({});
    target.writePolicy('read-only', 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }');
    const { roleId, secretId } = target.createAppRole('ro', { token_policies: ['read-only'] });
    const login = await api(target.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    const file = await snapshotOf(target, 'ro.snap');
    const res = await uploadSnapshot(target.url, login.json.auth.client_token, file, false);
    expect(res.status).toBe(403);
  });
});
