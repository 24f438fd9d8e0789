import { join } from 'node:path';
import { startVaultDouble, type VaultDouble, type VaultDoubleOptions } from '../src/index';
import { api, downloadSnapshot, pending, tempDir, unsealWith, uploadSnapshot, waitUntil } from './vault-double-helpers';

let tmp: { dir: string; cleanup: () => Promise<void> };
const doubles: VaultDouble[] = [];

async function start(options: VaultDoubleOptions): Promise<VaultDouble> {
  const double = await startVaultDouble({ joinIntervalMs: 40, joinDelayMs: 20, restoreDelayMs: 20, ...options });
  doubles.push(double);
  return double;
}

/** A fresh HA cluster whose leader was initialized (2 of 3 unless told) and unsealed; followers in join mode. */
async function haCluster(options: VaultDoubleOptions = {}, body: Record<string, number> = { secret_shares: 3, secret_threshold: 2 }) {
  const double = await start({ nodes: 2, initialized: false, ...options });
  const init = await api(double.url, 'PUT', 'sys/init', { body });
  expect(init.status).toBe(200);
  const keys: string[] = init.json.keys;
  if (keys.length > 0) await unsealWith(double.url, keys.slice(0, body.secret_threshold));
  return { double, keys, root: init.json.root_token as string, follower: double.nodes[1]?.url ?? '' };
}

const status = async (url: string) => (await api(url, 'GET', 'sys/seal-status')).json;

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await tmp.cleanup();
});

describe('followers of a fresh HA raft cluster are in join mode', () => {
  it('before any successful challenge a follower is uninitialized: 501 from health, keys refused', async () => {
    const double = await start({ nodes: 3, initialized: false });
    const follower = double.nodes[2]?.url ?? '';
    expect(await status(follower)).toMatchObject({ initialized: false, sealed: true, t: 0, n: 0 });
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(501);
    const unseal = await api(follower, 'PUT', 'sys/unseal', { body: { key: 'aa'.repeat(33) } });
    expect(unseal.status).toBe(400);
    expect(unseal.json).toEqual({ errors: ['Vault is not initialized'] });
    expect(double.state().nodes[2]?.joinAttempts).toBeGreaterThan(0);
  });

  it('once the leader is initialized and unsealed, the next challenge gives the follower the leader config: initialized, sealed, its t/n', async () => {
    const { double, follower } = await haCluster();
    await waitUntil(async () => (await status(follower)).initialized === true);
    expect(await status(follower)).toMatchObject({ initialized: true, sealed: true, t: 2, n: 3, progress: 0 });
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(503);
    expect(double.state().nodes[1]).toMatchObject({ joined: false, cachedThreshold: 2, cachedShares: 3 });
  });

  it("keeps the leader config as of the last successful challenge and takes the new one after the leader's restore", async () => {
    const source = await start({ secretShares: 4, secretThreshold: 2 });
    const file = join(tmp.dir, 'two-of-four.snap');
    expect((await downloadSnapshot(source.url, source.rootToken, file)).status).toBe(200);
    const { double, root, follower } = await haCluster({}, { secret_shares: 3, secret_threshold: 3 });
    await waitUntil(async () => (await status(follower)).t === 3);
    expect((await uploadSnapshot(double.url, root, file, true)).status).toBe(204);
    await waitUntil(() => double.state().sealed[0] === true);
    const attempts = double.state().nodes[1]?.joinAttempts ?? 0;
    await waitUntil(() => (double.state().nodes[1]?.joinAttempts ?? 0) > attempts + 2);
    expect(await status(follower)).toMatchObject({ t: 3, n: 3 });
    await unsealWith(double.url, source.unsealKeys.slice(0, 3));
    await waitUntil(async () => (await status(follower)).n === 4);
    expect(await status(follower)).toMatchObject({ t: 2, n: 4 });
  });
});

describe('a Shamir follower unsealed with the leader keys', () => {
  it('holds its state lock until a join attempt succeeds, answers 200 sealed, then unseals as a standby', async () => {
    const { double, keys, root, follower } = await haCluster({ joinDelayMs: 600 });
    await waitUntil(async () => (await status(follower)).initialized === true);
    expect((await api(follower, 'PUT', 'sys/unseal', { body: { key: keys[2] } })).json).toMatchObject({ sealed: true, progress: 1 });
    const completing = pending(api(follower, 'PUT', 'sys/unseal', { body: { key: keys[0] } }));
    await waitUntil(() => double.state().nodes[1]?.lock === 'write');
    const statusCall = pending(api(follower, 'GET', 'sys/seal-status'));
    await waitUntil(() => double.state().nodes[1]?.lockWaiters === 1);
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(503);
    expect([completing.settled(), statusCall.settled()]).toEqual([false, false]);
    const answer = await completing.outcome;
    expect(answer).toMatchObject({ status: 200, json: { sealed: true, progress: 0 } });
    expect(await statusCall.outcome).toMatchObject({ status: 200 });
    await waitUntil(async () => (await api(follower, 'GET', 'sys/health')).status === 429);
    expect((await api(follower, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    expect(double.state().nodes[1]).toMatchObject({ joined: true, sealed: false });
    expect((await api(follower, 'GET', 'auth/token/lookup-self', { token: root })).status).toBe(200);
  });

  it('with keys that do not combine to the leader key, never answers; seal-status hangs behind it until a restart', async () => {
    const other = await start({ secretShares: 3, secretThreshold: 2 });
    const { double, keys, follower } = await haCluster();
    await waitUntil(async () => (await status(follower)).initialized === true);
    await api(follower, 'PUT', 'sys/unseal', { body: { key: other.unsealKeys[0] } });
    const stuck = pending(api(follower, 'PUT', 'sys/unseal', { body: { key: other.unsealKeys[1] } }));
    await waitUntil(() => double.state().nodes[1]?.waitingUnseals === 1);
    const attempts = double.state().nodes[1]?.joinAttempts ?? 0;
    const statusCall = pending(api(follower, 'GET', 'sys/seal-status'));
    await waitUntil(() => (double.state().nodes[1]?.joinAttempts ?? 0) > attempts + 3 && double.state().nodes[1]?.lockWaiters === 1);
    expect([stuck.settled(), statusCall.settled()]).toEqual([false, false]);
    expect(double.state().nodes[1]?.joined).toBe(false);

    double.restartNode(1);

    expect(await stuck.outcome).toBeInstanceOf(Error);
    expect(await statusCall.outcome).toBeInstanceOf(Error);
    await waitUntil(async () => (await status(follower)).initialized === true);
    const joined = pending(unsealWith(follower, keys.slice(0, 2)));
    expect(await joined.outcome).toMatchObject({ status: 200, json: { sealed: true } });
    await waitUntil(() => double.state().nodes[1]?.sealed === false);
  });

  it('joinErrors: the join-completing call answers 500; the follower stays sealed, in join mode, without progress; the keys again join it', async () => {
    const { double, keys, follower } = await haCluster();
    await waitUntil(async () => (await status(follower)).initialized === true);
    double.faults.joinErrors = 1;
    const failed = await unsealWith(follower, keys.slice(0, 2));
    expect(failed.status).toBe(500);
    expect(failed.json.errors[0]).toContain('/v1/sys/storage/raft/bootstrap/answer');
    expect(double.faults.joinErrors).toBe(0);
    expect(await status(follower)).toMatchObject({ initialized: true, sealed: true, progress: 0 });
    expect(double.state().nodes[1]).toMatchObject({ joined: false, waitingUnseals: 0 });
    expect((await unsealWith(follower, keys.slice(0, 2))).json).toMatchObject({ sealed: true });
    await waitUntil(() => double.state().nodes[1]?.sealed === false);
  });
});

describe('auto-unseal followers', () => {
  it('join by themselves once the leader is initialized and become unsealed standbys', async () => {
    const double = await start({ nodes: 3, initialized: false, sealType: 'awskms' });
    const follower = double.nodes[1]?.url ?? '';
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(501);
    expect((await api(double.url, 'PUT', 'sys/init', { body: { recovery_shares: 3, recovery_threshold: 2 } })).status).toBe(200);
    await waitUntil(() => double.state().sealed.every((s) => !s));
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(429);
    expect(double.state().nodes.map((n) => n.joined)).toEqual([true, true, true]);
  });
});
