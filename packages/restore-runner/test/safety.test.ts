import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { buildBundle, runRunner, takeSnapshot, vaultGet } from './helpers';

let bundle = '';
let dir = '';
let source: VaultDouble;
let snapshot = '';
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bundle = buildBundle();
  dir = mkdtempSync(join(tmpdir(), 'restore-runner-safety-'));
  source = await startVaultDouble({ secretShares: 5, secretThreshold: 3 });
  source.putSecret('app/db', { password: 'pw-of-source' });
  snapshot = join(dir, 'source.snap');
  await takeSnapshot(source, snapshot);
  writeFileSync(join(dir, 'source-keys'), source.unsealKeys.join('\n'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(async () => {
  await source.close();
  rmSync(dir, { recursive: true, force: true });
});

async function double(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const d = await startVaultDouble({ restoreDelayMs: 100, ...options });
  closers.push(() => d.close());
  return d;
}

/** A copy of the snapshot and its sidecar under another name, so each test has its own marker and report. */
function copyOfSnapshot(name: string): string {
  const file = join(dir, `${name}.snap`);
  writeFileSync(file, readFileSync(snapshot));
  writeFileSync(`${file}.json`, readFileSync(`${snapshot}.json`));
  return file;
}

function env(file: string, addr: string, extra: Record<string, string> = {}): Record<string, string> {
  return { VAULT_ADDR: addr, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '5s', ...extra };
}

const sawRestoreUpload = (d: VaultDouble) => d.requests.some((r) => r.path.startsWith('/v1/sys/storage/raft/snapshot'));
const sawInit = (d: VaultDouble) => d.requests.some((r) => r.method === 'PUT' && r.path === '/v1/sys/init');

test('an already initialized Vault is never restored over: exit 0, says so, live data unchanged', async () => {
  const live = await double({});
  live.putSecret('app/db', { password: 'live' });
  const file = copyOfSnapshot('initialized');

  const run = await runRunner(bundle, env(file, live.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys') }));

  expect(run.code).toBe(0);
  expect(run.lines.some((l) => l.msg === 'Vault already initialized: not restoring (set RESTORE_FORCE_OVER_INITIALIZED=true to restore over live data)')).toBe(true);
  expect(sawRestoreUpload(live)).toBe(false);
  expect(live.getSecret('app/db')).toEqual({ password: 'live' });
  expect(existsSync(`${file}.restored`)).toBe(false);
});

test('after a pod restart with the marker present it says already restored and does nothing', async () => {
  const live = await double({});
  const file = copyOfSnapshot('marker');
  writeFileSync(`${file}.restored`, JSON.stringify({ sha256: 'a'.repeat(64) }));

  const run = await runRunner(bundle, env(file, live.url));

  expect(run.code).toBe(0);
  expect(run.lines.some((l) => String(l.msg).startsWith('already restored'))).toBe(true);
  expect(sawRestoreUpload(live)).toBe(false);
});

test('a truncated snapshot never reaches Vault: exit 1 before init, Vault left untouched', async () => {
  const fresh = await double({ initialized: false });
  const file = copyOfSnapshot('truncated');
  truncateSync(file, 300);

  const run = await runRunner(bundle, env(file, fresh.url));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'SNAPSHOT_INCOMPLETE' });
  expect(sawInit(fresh)).toBe(false);
  expect(sawRestoreUpload(fresh)).toBe(false);
  expect(fresh.state().initialized).toBe(false);
});

test('a snapshot that differs from its sidecar never reaches Vault: exit 1 naming the mismatch', async () => {
  const fresh = await double({ initialized: false });
  const file = copyOfSnapshot('mismatch');
  const record = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  writeFileSync(`${file}.json`, JSON.stringify({ ...record, sha256: 'f'.repeat(64) }));

  const run = await runRunner(bundle, env(file, fresh.url));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'SNAPSHOT_INVALID' });
  expect(String(run.lines.at(-1)?.msg)).toMatch(/is not the one in its sidecar .*: fetch it again/);
  expect(sawRestoreUpload(fresh)).toBe(false);
  expect(fresh.state().initialized).toBe(false);
});

test('when snapshot-force answers 500 it exits 1 with a message saying the archive was rejected, and writes no marker', async () => {
  const fresh = await double({ initialized: false });
  fresh.faults.restoreFails = '500';
  const file = copyOfSnapshot('fails-500');

  const run = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys') }));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'RESTORE_FAILED' });
  expect(String(run.lines.at(-1)?.msg)).toMatch(/^Vault rejected the snapshot \(500 .*\): POST \/v1\/sys\/storage\/raft\/snapshot-force; .*check the backup/);
  expect(existsSync(`${file}.restored`)).toBe(false);
  expect(existsSync(`${file}.report.json`)).toBe(false);
});

test('wrong unseal keys: exit 1 saying the keys were rejected, Vault stays sealed', async () => {
  const other = await double({ secretShares: 5, secretThreshold: 3 });
  writeFileSync(join(dir, 'other-keys'), other.unsealKeys.join('\n'));
  const fresh = await double({ initialized: false });
  const file = copyOfSnapshot('wrong-keys');

  const run = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'other-keys') }));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'VAULT_UNSEAL_FAILED' });
  expect(String(run.lines.at(-1)?.msg)).toMatch(/rejected .*wrong keys for this snapshot's cluster\?/);
  expect(fresh.state().sealed).toEqual([true]);
  for (const key of other.unsealKeys) expect(run.output).not.toContain(key);
});

test('fewer source keys than the source threshold: exit 2 before Vault is touched, naming the threshold', async () => {
  writeFileSync(join(dir, 'two-keys'), source.unsealKeys.slice(0, 2).join('\n'));
  const fresh = await double({ initialized: false });
  const file = copyOfSnapshot('two-keys');

  const run = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'two-keys') }));

  expect(run.code).toBe(2);
  expect(String(run.lines.at(-1)?.msg)).toContain("VAULT_UNSEAL_KEYS: 2 key(s) given, but the source cluster's threshold is 3 (of 5): give at least 3 of its keys");
  expect(sawInit(fresh)).toBe(false);
});

test('a pod that is not the restore pod does not restore', async () => {
  const fresh = await double({ initialized: false });
  const file = copyOfSnapshot('follower');

  const run = await runRunner(bundle, { ...env(file, fresh.url), HOSTNAME: 'vault-1' });

  expect(run.code).toBe(0);
  expect(run.lines.some((l) => String(l.msg).startsWith('not the restore pod: not restoring'))).toBe(true);
  expect(sawInit(fresh)).toBe(false);
  expect(sawRestoreUpload(fresh)).toBe(false);
  expect((await vaultGet(fresh.url, 'sys/init')).body).toEqual({ initialized: false });
});

test('when Vault never listens it exits 1 after RESTORE_WAIT_TIMEOUT with a message naming the address', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
  const file = copyOfSnapshot('no-vault');

  const run = await runRunner(bundle, env(file, `http://127.0.0.1:${port}`, { RESTORE_WAIT_TIMEOUT: '2s' }));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'VAULT_TIMEOUT' });
  expect(String(run.lines.at(-1)?.msg)).toContain(`Vault at http://127.0.0.1:${port} did not answer sys/seal-status within 2s`);
});

test('when Vault answers the upload with 503 sealed it exits 1 telling the operator to check the node is unsealed and active', async () => {
  const fresh = await double({ initialized: false });
  fresh.faults.restoreFails = 'sealed';
  const file = copyOfSnapshot('fails-sealed');

  const run = await runRunner(bundle, env(file, fresh.url));

  expect(run.code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'VAULT_SEALED' });
  expect(String(run.lines.at(-1)?.msg)).toMatch(/503 .*check that the node is unsealed and active/);
  expect(existsSync(`${file}.restored`)).toBe(false);
});

describe('preflight: nothing is written to Vault', () => {
  const writes = (d: VaultDouble) => d.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

  test('a Shamir snapshot into an auto-unseal Vault is refused before init, saying what would happen and how to proceed', async () => {
    const fresh = await double({ initialized: false, sealType: 'awskms' });
    const file = copyOfSnapshot('family');

    const run = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys') }));

    expect(run.code).toBe(1);
    expect(run.lines.at(-1)).toMatchObject({ level: 'error', code: 'RESTORE_PREFLIGHT' });
    expect(String(run.lines.at(-1)?.msg)).toMatch(/comes from a Vault with Shamir, this Vault uses awskms auto-unseal: .*would stay sealed\. Nothing was changed/);
    expect(writes(fresh)).toEqual([]);
  });

  test('a snapshot from a newer Vault minor version is refused before init unless RESTORE_ALLOW_OLDER_VAULT=true', async () => {
    const file = join(dir, 'newer.snap');
    await takeSnapshot(source, file, { edit: (v) => ({ ...v, version: '9.1.0' }) });
    const fresh = await double({ initialized: false });

    const refused = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys') }));
    expect(refused.code).toBe(1);
    expect(String(refused.lines.at(-1)?.msg)).toMatch(/taken by version 9\.1\.0, this Vault is 1\.\d+\.\d+.*RESTORE_ALLOW_OLDER_VAULT=true/);
    expect(writes(fresh)).toEqual([]);

    const allowed = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys'), RESTORE_ALLOW_OLDER_VAULT: 'true' }));
    expect(allowed.code).toBe(0);
  });

  test('a backup without seal facts and without keys stops with exit 2 naming RESTORE_INIT_THRESHOLD; with the keys it restores', async () => {
    const file = join(dir, 'old-style.snap');
    await takeSnapshot(source, file, { facts: false });
    const fresh = await double({ initialized: false });

    const stopped = await runRunner(bundle, env(file, fresh.url));
    expect(stopped.code).toBe(2);
    expect(String(stopped.lines.at(-1)?.msg)).toContain("Set RESTORE_INIT_SHARES and RESTORE_INIT_THRESHOLD to the source cluster's");
    expect(writes(fresh)).toEqual([]);

    const restored = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: join(dir, 'source-keys') }));
    expect(restored.code).toBe(0);
    expect(fresh.state().sealed).toEqual([false]);
  });
});

test('a keys Secret deleted after the restore stops no pod: a missing VAULT_UNSEAL_KEYS_FILE is read only when this pod restores', async () => {
  const live = await double({});
  const file = copyOfSnapshot('keys-gone');
  writeFileSync(`${file}.restored`, JSON.stringify({ sha256: 'a'.repeat(64) }));
  const gone = join(dir, 'deleted-secret', 'keys');

  const restored = await runRunner(bundle, env(file, live.url, { VAULT_UNSEAL_KEYS_FILE: gone }));
  const follower = await runRunner(bundle, env(file, live.url, { VAULT_UNSEAL_KEYS_FILE: gone, HOSTNAME: 'vault-2' }));

  expect(restored.code).toBe(0);
  expect(restored.lines.some((l) => String(l.msg).startsWith('already restored'))).toBe(true);
  expect(follower.code).toBe(0);

  const fresh = await double({ initialized: false });
  const needed = await runRunner(bundle, env(copyOfSnapshot('keys-missing'), fresh.url, { VAULT_UNSEAL_KEYS_FILE: gone }));
  expect(needed.code).toBe(2);
  expect(String(needed.lines.at(-1)?.msg)).toContain(`VAULT_UNSEAL_KEYS_FILE: cannot read ${gone} (ENOENT): is the Secret with the source cluster's keys mounted?`);
  expect(sawInit(fresh)).toBe(false);
});
