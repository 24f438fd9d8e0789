import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshotRecord } from '@vault-raft-backup/common';
import { startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { buildBundle, runRunner, secretsOf, startInitRecorder, startRunner, takeSnapshot, vaultGet } from './helpers';

let bundle = '';
let dir = '';
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  bundle = buildBundle();
  dir = mkdtempSync(join(tmpdir(), 'restore-runner-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function double(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const d = await startVaultDouble({ restoreDelayMs: 100, ...options });
  closers.push(() => d.close());
  return d;
}

/** A source cluster with a secret, and its snapshot on disk with a sidecar. */
async function sourceWithSnapshot(name: string, options: Parameters<typeof startVaultDouble>[0]) {
  const source = await double(options);
  source.putSecret('app/db', { password: `pw-of-${name}` });
  const file = join(dir, `${name}.snap`);
  await takeSnapshot(source, file);
  return { source, file };
}

function baseEnv(file: string, addr: string): Record<string, string> {
  return { VAULT_ADDR: addr, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '20s' };
}

test('Shamir with the source keys file: exit 0, unsealed, source data and root token served, temporary token rejected, report and marker written, no secret in the output', async () => {
  const { source, file } = await sourceWithSnapshot('shamir', { secretShares: 5, secretThreshold: 3 });
  const fresh = await double({ initialized: false });
  const recorder = await startInitRecorder(fresh.url);
  closers.push(recorder.close);
  const init = source.initResult;
  writeFileSync(join(dir, 'shamir-keys.json'), JSON.stringify({ unseal_keys_b64: init?.keys_base64, unseal_keys_hex: init?.keys, unseal_shares: 5, unseal_threshold: 3, root_token: source.rootToken }));
  writeFileSync(join(dir, 'shamir-token'), `${source.rootToken}\n`);

  const run = await runRunner(bundle, { ...baseEnv(file, recorder.url), VAULT_UNSEAL_KEYS_FILE: join(dir, 'shamir-keys.json'), RESTORE_VERIFY_TOKEN_FILE: join(dir, 'shamir-token') });

  expect(run.code).toBe(0);
  expect(fresh.state()).toMatchObject({ initialized: true, sealed: [false], restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'secret/app/db', source.rootToken)).body).toMatchObject({ data: { password: 'pw-of-shamir' } });
  const temporary = recorder.init();
  expect(temporary?.root_token).toEqual(expect.any(String));
  expect((await vaultGet(fresh.url, 'auth/token/lookup-self', temporary?.root_token)).status).toBe(403);
  const report = JSON.parse(readFileSync(`${file}.report.json`, 'utf8'));
  expect(report).toMatchObject({ status: 'restored', unsealedBy: 'source-keys', sourceTokenVerified: true, snapshot: { sha256: (await readSnapshotRecord(file)).sha256 }, vault: { sealType: 'shamir' } });
  expect(existsSync(`${file}.restored`)).toBe(true);
  expect(run.lines.find((l) => l.msg === 'restore complete')).toMatchObject({ openedBy: 'source-keys', peersOpened: [] });
  for (const secret of secretsOf(init?.keys, init?.keys_base64, [source.rootToken], temporary?.keys, temporary?.keys_base64, [temporary?.root_token])) {
    expect(run.output).not.toContain(secret);
    expect(JSON.stringify(report)).not.toContain(secret);
  }
});

test('Shamir 3 shares / threshold 2 with all three source keys: the temporary init uses 3/2, so the source keys combine and Vault unseals hands-off', async () => {
  const { source, file } = await sourceWithSnapshot('shamir-3-2', { secretShares: 3, secretThreshold: 2 });
  const fresh = await double({ initialized: false });
  const recorder = await startInitRecorder(fresh.url);
  closers.push(recorder.close);
  writeFileSync(join(dir, 'keys-3-2'), `${source.unsealKeys.join('\n')}\n`);

  const run = await runRunner(bundle, { ...baseEnv(file, recorder.url), VAULT_UNSEAL_KEYS_FILE: join(dir, 'keys-3-2') });

  expect(run.code).toBe(0);
  expect(recorder.init()?.keys).toHaveLength(3);
  expect(fresh.state()).toMatchObject({ sealed: [false], restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'sys/seal-status')).body).toMatchObject({ sealed: false, t: 2, n: 3 });
  expect((await vaultGet(fresh.url, 'secret/app/db', source.rootToken)).body).toMatchObject({ data: { password: 'pw-of-shamir-3-2' } });
  expect(run.lines.find((l) => l.msg === 'node unsealed' && l.whose === 'source cluster keys')).toMatchObject({ keysUsed: 2 });
});

test('Shamir without the keys file: restored and sealed, says the source keys are needed and stays up; SIGTERM stops it promptly', async () => {
  const { file } = await sourceWithSnapshot('nokeys', { secretShares: 5, secretThreshold: 3 });
  const fresh = await double({ initialized: false });

  const runner = startRunner(bundle, baseEnv(file, fresh.url));
  const line = await runner.waitForLine((l) => l.level === 'error' && String(l.msg).includes("SOURCE cluster's keys"));

  expect(line.msg).toBe("restored; Vault is sealed with the SOURCE cluster's keys: unseal it with 3 of them (vault operator unseal, 3 times) — or give VAULT_UNSEAL_KEYS_FILE");
  expect(fresh.state()).toMatchObject({ sealed: [true], restoresApplied: 1 });
  expect(runner.child.exitCode).toBeNull();
  expect(existsSync(`${file}.restored`)).toBe(false);
  runner.child.kill('SIGTERM');
  expect(await runner.exited).toBe(1);
  expect(runner.lines().some((l) => l.msg === 'signal received, stopping')).toBe(true);
});

test('after a finished restore it idles as a sidecar, and SIGTERM then ends it with exit 0', async () => {
  const { source, file } = await sourceWithSnapshot('idle', { sealType: 'awskms', kmsKeyId: 'kms-idle' });
  const fresh = await double({ initialized: false, sealType: 'awskms', kmsKeyId: 'kms-idle' });

  const runner = startRunner(bundle, { ...baseEnv(file, fresh.url), RESTORE_EXIT_WHEN_DONE: 'false' });
  await runner.waitForLine((l) => l.msg === 'done; idling until SIGTERM');

  expect(runner.child.exitCode).toBeNull();
  expect((await vaultGet(fresh.url, 'secret/app/db', source.rootToken)).status).toBe(200);
  runner.child.kill('SIGTERM');
  expect(await runner.exited).toBe(0);
  expect(runner.lines().some((l) => l.msg === 'stopped while idle')).toBe(true);
});

test('Shamir without the keys file: once the operator unseals by hand, it verifies, writes the report and exits 0', async () => {
  const { source, file } = await sourceWithSnapshot('operator', { secretShares: 5, secretThreshold: 3 });
  const fresh = await double({ initialized: false });
  const runner = startRunner(bundle, baseEnv(file, fresh.url));
  await runner.waitForLine((l) => l.level === 'error' && String(l.msg).startsWith('restored; Vault is sealed'));

  for (const key of source.unsealKeys.slice(0, 3)) {
    await fetch(`${fresh.url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
  }

  expect(await runner.exited).toBe(0);
  expect(JSON.parse(readFileSync(`${file}.report.json`, 'utf8'))).toMatchObject({ status: 'restored', unsealedBy: 'operator' });
  expect((await vaultGet(fresh.url, 'secret/app/db', source.rootToken)).status).toBe(200);
});

test("auto-unseal with the same KMS key: initialized with the source's recovery shares, unseals by itself after the restore and serves the source data", async () => {
  const { source, file } = await sourceWithSnapshot('kms-same', { sealType: 'awskms', kmsKeyId: 'kms-a' });
  const fresh = await double({ initialized: false, sealType: 'awskms', kmsKeyId: 'kms-a' });
  const recorder = await startInitRecorder(fresh.url);
  closers.push(recorder.close);

  const run = await runRunner(bundle, baseEnv(file, recorder.url));

  expect(run.code).toBe(0);
  expect(recorder.init()?.recovery_keys).toHaveLength(5);
  expect(fresh.state()).toMatchObject({ sealed: [false], restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'secret/app/db', source.rootToken)).body).toMatchObject({ data: { password: 'pw-of-kms-same' } });
  expect(JSON.parse(readFileSync(`${file}.report.json`, 'utf8'))).toMatchObject({ unsealedBy: 'auto-unseal', vault: { sealType: 'awskms' } });
  expect(run.output).not.toContain(source.rootToken);
});

test('auto-unseal with another KMS key: stays sealed after the restore, exit 1 with the KMS message, no marker', async () => {
  const { file } = await sourceWithSnapshot('kms-other', { sealType: 'awskms', kmsKeyId: 'kms-a' });
  const fresh = await double({ initialized: false, sealType: 'awskms', kmsKeyId: 'kms-b' });

  const run = await runRunner(bundle, { ...baseEnv(file, fresh.url), RESTORE_WAIT_TIMEOUT: '3s' });

  expect(run.code).toBe(1);
  const last = run.lines.at(-1);
  expect(last).toMatchObject({ level: 'error', code: 'VAULT_SEALED' });
  expect(String(last?.msg)).toMatch(/the restored cluster's KMS key is not reachable from here: check the seal config\/credentials/);
  expect(fresh.state().sealed).toEqual([true]);
  expect(existsSync(`${file}.restored`)).toBe(false);
});
