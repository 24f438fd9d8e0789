import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { buildBundle, runRunner, secretsOf, startRunner, takeSnapshot, vaultGet } from './helpers';

let bundle = '';
let dir = '';
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  bundle = buildBundle();
  dir = mkdtempSync(join(tmpdir(), 'restore-runner-resume-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function double(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const d = await startVaultDouble({ restoreDelayMs: 50, ...options });
  closers.push(() => d.close());
  return d;
}

/** A Shamir 5/3 source with a secret, its snapshot with a sidecar, and a keys file. */
async function source(name: string) {
  const src = await double({ secretShares: 5, secretThreshold: 3 });
  src.putSecret('app/db', { password: `pw-of-${name}` });
  const file = join(dir, `${name}.snap`);
  await takeSnapshot(src, file);
  const keys = join(dir, `${name}-keys`);
  writeFileSync(keys, `${src.unsealKeys.join('\n')}\n`);
  return { src, file, keys };
}

function env(file: string, addr: string, extra: Record<string, string>): Record<string, string> {
  return { VAULT_ADDR: addr, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '30s', ...extra };
}

const forcePosts = (d: VaultDouble) => d.requests.filter((r) => r.method === 'POST' && r.path === '/v1/sys/storage/raft/snapshot-force').length;

test('an apply that holds the state lock longer than VAULT_TIMEOUT completes: the runner keeps polling health and logs its progress', async () => {
  const { src, file, keys } = await source('long-apply');
  const fresh = await double({ initialized: false, restoreApplyMs: 4000 });

  const run = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: keys, VAULT_TIMEOUT: '1s' }));

  expect(run.code).toBe(0);
  expect(fresh.state()).toMatchObject({ sealed: [false], restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'secret/app/db', src.rootToken)).status).toBe(200);
  const applied = run.lines.findIndex((l) => l.msg === 'restore applied');
  const accepted = run.lines.findIndex((l) => String(l.msg).startsWith('snapshot accepted by Vault'));
  expect(applied).toBeGreaterThan(accepted);
  expect(run.lines.some((l) => l.level === 'error')).toBe(false);
});

test('a runner killed during the apply and started again finishes the same restore without a second snapshot-force', async () => {
  const { src, file, keys } = await source('killed-apply');
  const fresh = await double({ initialized: false, restoreApplyMs: 3000 });
  const first = startRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: keys }));
  await first.waitForLine((l) => String(l.msg).startsWith('snapshot accepted by Vault'));
  first.child.kill('SIGKILL');
  await first.exited;
  expect(statSync(`${file}.state.json`).mode & 0o777).toBe(0o600);

  const second = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: keys }));

  expect(second.code).toBe(0);
  expect(second.lines.find((l) => String(l.msg).startsWith('continuing the restore'))).toMatchObject({ phase: 'uploaded' });
  expect(forcePosts(fresh)).toBe(1);
  expect(fresh.state()).toMatchObject({ sealed: [false], restoresAccepted: 1, restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'secret/app/db', src.rootToken)).body).toMatchObject({ data: { password: 'pw-of-killed-apply' } });
  expect(existsSync(`${file}.restored`)).toBe(true);
  expect(existsSync(`${file}.state.json`)).toBe(false);
  const journalText = second.output + first.output();
  for (const secret of secretsOf(src.unsealKeys, [src.rootToken])) expect(journalText).not.toContain(secret);
});

test('a runner that failed during the upload, with Vault restarted meanwhile, continues with the Vault it initialized: it opens it with the recorded temporary keys and uploads again', async () => {
  const { src, file, keys } = await source('killed-init');
  const fresh = await double({ initialized: false });
  fresh.faults.failNext = { path: '/v1/sys/storage/raft/snapshot-force', status: 500, times: 1 };
  const first = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: keys }));
  expect(first.code).toBe(1);
  expect(fresh.state().initialized).toBe(true);
  fresh.restartNode(0);

  const second = await runRunner(bundle, env(file, fresh.url, { VAULT_UNSEAL_KEYS_FILE: keys }));

  expect(second.code).toBe(0);
  expect(second.lines.find((l) => String(l.msg).startsWith('continuing the restore'))).toMatchObject({ phase: 'uploading' });
  expect(fresh.state()).toMatchObject({ sealed: [false], restoresApplied: 1 });
  expect((await vaultGet(fresh.url, 'secret/app/db', src.rootToken)).status).toBe(200);
});

test('a journal of another snapshot is not continued: the initialized Vault is left alone', async () => {
  const { file } = await source('other-journal');
  const live = await double({});
  writeFileSync(`${file}.state.json`, JSON.stringify({ phase: 'uploaded', sha256: 'e'.repeat(64), sealType: 'shamir', startedAt: new Date().toISOString() }), { mode: 0o600 });

  const run = await runRunner(bundle, env(file, live.url, {}));

  expect(run.code).toBe(0);
  expect(run.lines.some((l) => l.msg === 'the restore journal belongs to another snapshot: not continuing it')).toBe(true);
  expect(run.lines.some((l) => String(l.msg).startsWith('Vault already initialized: not restoring'))).toBe(true);
  expect(forcePosts(live)).toBe(0);
  expect(readFileSync(`${file}.state.json`, 'utf8')).toContain('e'.repeat(64));
});
