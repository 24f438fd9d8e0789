import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { buildBundle, runRunner, secretsOf, takeSnapshot, vaultGet } from './helpers';

let bundle = '';
let dir = '';
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  bundle = buildBundle();
  dir = mkdtempSync(join(tmpdir(), 'restore-runner-ha-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function double(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const d = await startVaultDouble({ restoreDelayMs: 50, joinIntervalMs: 100, joinDelayMs: 300, ...options });
  closers.push(() => d.close());
  return d;
}

function env(file: string, target: VaultDouble, extra: Record<string, string>): Record<string, string> {
  const peers = target.nodes.slice(1).map((n) => n.url).join(',');
  return { VAULT_ADDR: target.url, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '30s', RESTORE_PEER_ADDRS: peers, ...extra };
}

const unsealCalls = (d: VaultDouble, node: number) => d.requests.filter((r) => r.node === node && r.method === 'PUT' && r.path === '/v1/sys/unseal').length;

async function shamirSource(name: string) {
  const source = await double({ nodes: 3, secretShares: 5, secretThreshold: 3 });
  source.putSecret('app/db', { password: `pw-of-${name}` });
  const file = join(dir, `${name}.snap`);
  await takeSnapshot(source, file);
  const keys = join(dir, `${name}-keys`);
  writeFileSync(keys, `${source.unsealKeys.join('\n')}\n`);
  return { source, file, keys };
}

test('three raft pods with retry_join, Shamir 5/3: the restore pod unseals itself and both followers in join mode with exactly 3 keys each; every node serves the restored data', async () => {
  const { source, file, keys } = await shamirSource('ha-shamir');
  const target = await double({ nodes: 3, initialized: false });

  const run = await runRunner(bundle, env(file, target, { VAULT_UNSEAL_KEYS_FILE: keys }));

  expect(run.code).toBe(0);
  expect(target.state()).toMatchObject({ sealed: [false, false, false], restoresApplied: 1 });
  expect(unsealCalls(target, 1)).toBe(3);
  expect(unsealCalls(target, 2)).toBe(3);
  for (const node of target.nodes) expect((await vaultGet(node.url, 'secret/app/db', source.rootToken)).body).toMatchObject({ data: { password: 'pw-of-ha-shamir' } });
  expect(JSON.parse(readFileSync(`${file}.report.json`, 'utf8')).unsealedPeers).toEqual(target.nodes.slice(1).map((n) => n.url));
  for (const secret of secretsOf(source.unsealKeys, [source.rootToken])) expect(run.output).not.toContain(secret);
});

test('a follower that answers 500 while it joins is given the keys again after a backoff, and ends unsealed', async () => {
  const { file, keys } = await shamirSource('ha-500');
  const target = await double({ nodes: 3, initialized: false });
  target.faults.joinErrors = 1;

  const run = await runRunner(bundle, env(file, target, { VAULT_UNSEAL_KEYS_FILE: keys }));

  expect(run.code).toBe(0);
  expect(target.state().sealed).toEqual([false, false, false]);
  expect(run.lines.some((l) => l.msg === 'waiting for follower' && String(l.state).includes('500'))).toBe(true);
});

test('three raft pods with auto-unseal: the followers come back unsealed with the restored data by themselves', async () => {
  const source = await double({ nodes: 3, sealType: 'awskms', kmsKeyId: 'kms-ha' });
  source.putSecret('app/db', { password: 'pw-of-ha-kms' });
  const file = join(dir, 'ha-kms.snap');
  await takeSnapshot(source, file);
  const target = await double({ nodes: 3, initialized: false, sealType: 'awskms', kmsKeyId: 'kms-ha' });

  const run = await runRunner(bundle, env(file, target, {}));

  expect(run.code).toBe(0);
  expect(target.state().sealed).toEqual([false, false, false]);
  for (const node of target.nodes) expect((await vaultGet(node.url, 'secret/app/db', source.rootToken)).status).toBe(200);
  expect(unsealCalls(target, 1) + unsealCalls(target, 2)).toBe(0);
});

test('the runners of the other pods never send a key: they log that the restore pod unseals them and idle', async () => {
  const { file, keys } = await shamirSource('ha-follower');
  const target = await double({ nodes: 3, initialized: false });

  const run = await runRunner(bundle, { ...env(file, target, { VAULT_UNSEAL_KEYS_FILE: keys }), VAULT_ADDR: target.nodes[1]?.url ?? '', HOSTNAME: 'vault-1' });

  expect(run.code).toBe(0);
  expect(run.lines.some((l) => String(l.msg).startsWith('not the restore pod: not restoring'))).toBe(true);
  expect(target.requests.filter((r) => r.method !== 'GET')).toEqual([]);
});
