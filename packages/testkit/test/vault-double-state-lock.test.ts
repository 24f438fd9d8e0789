import { join } from 'node:path';
import { startVaultDouble, type VaultDouble, type VaultDoubleOptions } from '../src/index';
import { api, downloadSnapshot, pending, tempDir, uploadSnapshot, waitUntil } from './vault-double-helpers';

let tmp: { dir: string; cleanup: () => Promise<void> };
const doubles: VaultDouble[] = [];

async function start(options: VaultDoubleOptions): Promise<VaultDouble> {
  const double = await startVaultDouble({ restoreDelayMs: 20, ...options });
  doubles.push(double);
  return double;
}

async function snapshotOf(double: VaultDouble, name: string): Promise<string> {
  const file = join(tmp.dir, name);
  expect((await downloadSnapshot(double.url, double.rootToken, file)).status).toBe(200);
  return file;
}

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await tmp.cleanup();
});

describe('the apply of a restore holds the state lock', () => {
  it('every request but health waits for it; health answers active and unsealed until the apply seals the node', async () => {
    const source = await start({ secretShares: 3, secretThreshold: 2 });
    const file = await snapshotOf(source, 'locked.snap');
    const target = await start({ secretShares: 3, secretThreshold: 2, restoreApplyMs: 3000 });
    target.putSecret('app', { v: 1 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().nodes[0]?.lock === 'write');

    const calls = {
      sealStatus: pending(api(target.url, 'GET', 'sys/seal-status')),
      unseal: pending(api(target.url, 'PUT', 'sys/unseal', { body: { key: source.unsealKeys[0] } })),
      init: pending(api(target.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })),
      token: pending(api(target.url, 'GET', 'auth/token/lookup-self', { token: target.rootToken })),
      secret: pending(api(target.url, 'GET', 'secret/app', { token: target.rootToken })),
      snapshot: pending(api(target.url, 'GET', 'sys/storage/raft/snapshot', { token: target.rootToken })),
    };
    await waitUntil(() => target.state().nodes[0]?.lockWaiters === 6);
    const health = await api(target.url, 'GET', 'sys/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ initialized: true, sealed: false, standby: false });
    expect((await fetch(`${target.url}/v1/sys/health`, { method: 'HEAD' })).status).toBe(200);
    expect(Object.values(calls).map((c) => c.settled())).toEqual([false, false, false, false, false, false]);

    expect(await calls.sealStatus.outcome).toMatchObject({ status: 200, json: { sealed: true, t: 2, n: 3 } });
    expect(await calls.unseal.outcome).toMatchObject({ status: 200, json: { sealed: true, progress: 1 } });
    expect(await calls.init.outcome).toMatchObject({ status: 400, json: { errors: ['Vault is already initialized'] } });
    for (const call of [calls.token, calls.secret, calls.snapshot]) expect(await call.outcome).toMatchObject({ status: 503, json: { errors: ['Vault is sealed'] } });
    expect((await api(target.url, 'GET', 'sys/health')).status).toBe(503);
  });

  it('auto-unseal: the active node and its joined followers re-open with the KMS key that sealed the snapshot', async () => {
    const source = await start({ sealType: 'transit', kmsKeyId: 'shared-key', secretShares: 5, secretThreshold: 3 });
    source.putSecret('app', { from: 'source' });
    const file = await snapshotOf(source, 'transit.snap');
    const target = await start({ sealType: 'transit', kmsKeyId: 'shared-key', nodes: 3, secretShares: 1, secretThreshold: 1 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().restoresApplied === 1 && target.state().nodes.every((n) => n.lock === undefined));
    expect(target.state().sealed).toEqual([false, false, false]);
    expect((await api(target.url, 'GET', 'sys/seal-status')).json).toMatchObject({ sealed: false, t: 3, n: 5 });
    const follower = target.nodes[2]?.url ?? '';
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(429);
    expect((await api(follower, 'GET', 'secret/app', { token: source.rootToken })).json.data).toEqual({ from: 'source' });
  });

  it('Shamir: joined followers apply the foreign restore through raft and seal too', async () => {
    const source = await start({ secretShares: 3, secretThreshold: 2 });
    const file = await snapshotOf(source, 'followers.snap');
    const target = await start({ nodes: 3, secretShares: 3, secretThreshold: 2 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().sealed.every(Boolean));
    for (const node of target.nodes) expect((await api(node.url, 'GET', 'sys/health')).json).toMatchObject({ sealed: true, standby: true });
  });
});
