import { join } from 'node:path';
import { startVaultDouble, type VaultDouble, type VaultDoubleOptions } from '../src/index';
import { api, downloadSnapshot, pending, tempDir, unsealWith, uploadSnapshot, waitUntil } from './vault-double-helpers';

let tmp: { dir: string; cleanup: () => Promise<void> };
const doubles: VaultDouble[] = [];

async function start(options: VaultDoubleOptions): Promise<VaultDouble> {
  const double = await startVaultDouble({ restoreDelayMs: 20, ...options });
  doubles.push(double);
  return double;
}

const sealStatus = async (url: string) => (await api(url, 'GET', 'sys/seal-status')).json;

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await tmp.cleanup();
});

describe('process restart', () => {
  it('drops in-flight requests; a Shamir node comes back sealed with no progress, its storage intact', async () => {
    const double = await start({ secretShares: 3, secretThreshold: 2, snapshotFirstByteMs: 60_000 });
    double.putSecret('kept', { v: 1 });
    const inFlight = pending(api(double.url, 'GET', 'sys/storage/raft/snapshot', { token: double.rootToken }));
    await waitUntil(() => double.state().nodes[0]?.lock === 'read');

    double.restartNode(0);

    expect(await inFlight.outcome).toBeInstanceOf(Error);
    expect(await sealStatus(double.url)).toMatchObject({ sealed: true, progress: 0, t: 2, n: 3 });
    expect((await api(double.url, 'GET', 'sys/health')).status).toBe(503);
    expect((await unsealWith(double.url, double.unsealKeys.slice(0, 2))).json).toMatchObject({ sealed: false });
    expect(double.getSecret('kept')).toEqual({ v: 1 });
  });

  it('an auto-unseal node comes back unsealed when its KMS key opens the stored keys', async () => {
    const double = await start({ sealType: 'azurekeyvault', nodes: 2 });
    double.restart();
    expect(double.state().sealed).toEqual([false, false]);
    expect((await api(double.url, 'GET', 'sys/health')).status).toBe(200);
    expect((await api(double.nodes[1]?.url ?? '', 'GET', 'sys/health')).status).toBe(429);
  });

  it('restart() brings every Shamir node back sealed', async () => {
    const double = await start({ nodes: 3 });
    double.restart();
    expect(double.state().sealed).toEqual([true, true, true]);
    for (const node of double.nodes) expect((await api(node.url, 'GET', 'sys/health')).status).toBe(503);
  });

  it('a restart while a restore applies loses the apply: the previous storage and keys stay', async () => {
    const source = await start({});
    const file = join(tmp.dir, 'lost.snap');
    await downloadSnapshot(source.url, source.rootToken, file);
    const target = await start({ restoreApplyMs: 60_000 });
    target.putSecret('before', { v: 1 });
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().nodes[0]?.lock === 'write');
    target.restartNode(0);
    expect((await unsealWith(target.url, target.unsealKeys.slice(0, 3))).json).toMatchObject({ sealed: false });
    expect(target.getSecret('before')).toEqual({ v: 1 });
    expect(target.state().restoresApplied).toBe(0);
  });
});

describe('version and flavour', () => {
  it('vault: seal-status as GetSealStatus builds it, version 1.17.6, build_date, cluster name and id only while unsealed', async () => {
    const double = await start({ secretShares: 3, secretThreshold: 2 });
    const open = await sealStatus(double.url);
    expect(Object.keys(open).sort()).toEqual([
      'build_date',
      'cluster_id',
      'cluster_name',
      'initialized',
      'migration',
      'n',
      'nonce',
      'progress',
      'recovery_seal',
      'sealed',
      'storage_type',
      't',
      'type',
      'version',
    ]);
    expect(open).toMatchObject({ type: 'shamir', version: '1.17.6', storage_type: 'raft', recovery_seal: false, cluster_name: expect.stringMatching(/^vault-cluster-[0-9a-f]{8}$/) });
    double.seal();
    const closed = await sealStatus(double.url);
    expect(closed).not.toHaveProperty('cluster_id');
    expect(closed).not.toHaveProperty('cluster_name');
    const health = (await api(double.url, 'GET', 'sys/health')).json;
    expect(health).toMatchObject({ version: '1.17.6', enterprise: false, performance_standby: false, standby: true });
  });

  it('openbao: version 2.4.1, commit_date, its own seal types, health without the enterprise fields', async () => {
    const double = await start({ flavor: 'openbao', sealType: 'static', secretShares: 3, secretThreshold: 2 });
    const status = await sealStatus(double.url);
    expect(status).toMatchObject({ type: 'static', version: '2.4.1', recovery_seal: true, recovery_seal_type: 'shamir', t: 2, n: 3 });
    expect(status).toHaveProperty('commit_date');
    expect(status).not.toHaveProperty('build_date');
    const health = (await api(double.url, 'GET', 'sys/health')).json;
    expect(health).not.toHaveProperty('enterprise');
    expect(health).not.toHaveProperty('performance_standby');
    expect((await api(double.url, 'GET', 'sys/health?drsecondarycode=x')).status).toBe(200);
    const vault = await start({});
    expect((await api(vault.url, 'GET', 'sys/health?drsecondarycode=x')).status).toBe(400);
    expect((await api(vault.url, 'GET', 'sys/health?standbyok=maybe')).json).toEqual({ errors: [] });
    await expect(startVaultDouble({ sealType: 'ovhcloud' })).rejects.toThrow('seal type "ovhcloud" is not available in vault');
    const custom = await start({ flavor: 'openbao', version: '2.5.0' });
    expect((await sealStatus(custom.url)).version).toBe('2.5.0');
  });

  it("cluster id becomes the snapshot's after a restore; the name kept in memory by the node that initialized wins until a restart", async () => {
    const source = await start({ secretShares: 3, secretThreshold: 2 });
    const file = join(tmp.dir, 'named.snap');
    await downloadSnapshot(source.url, source.rootToken, file);
    const from = await sealStatus(source.url);
    const target = await start({ secretShares: 3, secretThreshold: 2, nodes: 2 });
    const own = await sealStatus(target.url);
    expect((await sealStatus(target.nodes[1]?.url ?? '')).cluster_id).toBe(own.cluster_id);
    expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
    await waitUntil(() => target.state().sealed[0] === true);
    const restored = await unsealWith(target.url, source.unsealKeys.slice(0, 2));
    expect(restored.json).toMatchObject({ sealed: false, cluster_id: from.cluster_id, cluster_name: own.cluster_name });
    target.restartNode(0);
    expect((await unsealWith(target.url, source.unsealKeys.slice(0, 2))).json).toMatchObject({ cluster_id: from.cluster_id, cluster_name: from.cluster_name });
  });

  it('a configured cluster_name is shown whatever storage holds', async () => {
    const double = await start({ clusterName: 'prod-vault' });
    expect((await sealStatus(double.url)).cluster_name).toBe('prod-vault');
    expect(double.state().clusterName).toBe('prod-vault');
  });
});
