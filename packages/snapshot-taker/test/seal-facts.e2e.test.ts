import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySnapshotFile } from '@vault-raft-backup/common';
import { createTestPki, type TestPki, type VaultDouble } from '@vault-raft-backup/testkit';
import { doubles, run, tokenFor } from './helpers';

const SEAL_STATUS = '/v1/sys/seal-status';
let work: string;
let pki: TestPki | undefined;
const vaults = doubles();

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'snapshot-taker-facts-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));
afterAll(async () => {
  await vaults.closeAll();
  pki?.remove();
});

/** The cluster id the double's active node reports (a fresh UUID per double). */
async function clusterIdOf(d: VaultDouble): Promise<string> {
  return ((await (await fetch(`${d.url}${SEAL_STATUS}`)).json()) as { cluster_id: string }).cluster_id;
}

async function takeFrom(d: VaultDouble, addr = d.url, extra: Record<string, string> = {}) {
  const file = join(work, 'vault.snap');
  const result = await run({ VAULT_ADDR: addr, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: file, ...extra });
  const record = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  return { result, record, file };
}

const outcome = (result: Awaited<ReturnType<typeof run>>) => result.lines.find((l) => l.msg === 'snapshot written and verified');

describe('snapshot-taker records the source Vault seal facts in the sidecar', () => {
  it('from a Shamir Vault it records shamir 3 of 5, the version, cluster and storage, and logs them', async () => {
    const d = await vaults.start({ clusterName: 'prod-eu' });

    const { result, record } = await takeFrom(d);

    expect(result.code).toBe(0);
    const expected = { sealType: 'shamir', recoverySeal: false, shares: 5, threshold: 3, version: '1.17.6', clusterId: await clusterIdOf(d), clusterName: 'prod-eu', storageType: 'raft' };
    expect(record.vault).toEqual(expected);
    expect(record.vault.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome(result)).toMatchObject({ vault: expected });
    expect(result.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('from an auto-unseal (awskms) Vault it records the recovery shares and threshold', async () => {
    const d = await vaults.start({ sealType: 'awskms', secretShares: 4, secretThreshold: 2 });

    const { result, record } = await takeFrom(d);

    expect(result.code).toBe(0);
    expect(record.vault).toMatchObject({ sealType: 'awskms', recoverySeal: true, shares: 4, threshold: 2, version: '1.17.6' });
  });

  it('when called on a standby, the facts come from the active node that served the snapshot, not the standby', async () => {
    const d = await vaults.start({ nodes: 3 });
    const standby = d.nodes[1]?.url ?? '';

    const { result, record } = await takeFrom(d, standby);

    expect(result.code).toBe(0);
    expect(record.source).toBe(d.url);
    expect(d.requests.filter((r) => r.path === SEAL_STATUS).map((r) => r.node)).toEqual([0]);
    expect(record.vault).toMatchObject({ sealType: 'shamir', shares: 5, threshold: 3, clusterId: await clusterIdOf(d) });
  });

  it('over TLS with VAULT_CACERT, seal-status is read with the same CA, so the facts are recorded', async () => {
    pki = createTestPki('vault');
    const d = await vaults.start({ tls: { cert: pki.cert, key: pki.key } });
    const file = join(work, 'vault.snap');

    const result = await run({ VAULT_ADDR: d.url, VAULT_CACERT: pki.caCertPath, VAULT_TOKEN: d.rootToken, VAULT_REVOKE_TOKEN: 'false', SNAPSHOT_FILE: file });

    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(`${file}.json`, 'utf8')).vault).toMatchObject({ sealType: 'shamir', shares: 5, threshold: 3 });
  });
});

describe('snapshot-taker without seal facts still writes the snapshot', () => {
  it('when seal-status keeps failing, it exits 0, warns what a restore then needs, and writes the sidecar without vault', async () => {
    const d = await vaults.start();
    d.faults.failNext = { path: SEAL_STATUS, status: 500, times: 10 };

    const { result, record, file } = await takeFrom(d);

    expect(result.code).toBe(0);
    expect(record.vault).toBeUndefined();
    expect((await verifySnapshotFile(file)).sha256).toBe(record.sha256);
    const warning = result.lines.find((l) => l.level === 'warn' && String(l.msg).startsWith("could not read the source Vault's seal status"));
    expect(String(warning?.msg)).toContain('RESTORE_INIT_THRESHOLD');
    expect(String(warning?.error)).toContain('500');
    expect(readdirSync(work).sort()).toEqual(['vault.snap', 'vault.snap.json']);
  });

  it('when seal-status answers something that is not a seal status, it exits 0 and writes the sidecar without vault', async () => {
    const d = await vaults.start();
    d.faults.failNext = { path: SEAL_STATUS, status: 200, times: 10, body: { type: 'shamir', t: 3 } };

    const { result, record } = await takeFrom(d);

    expect(result.code).toBe(0);
    expect(record.vault).toBeUndefined();
    const warning = result.lines.find((l) => l.level === 'warn' && String(l.msg).startsWith("could not read the source Vault's seal status"));
    expect(String(warning?.error)).toContain('not a seal status');
  });
});
