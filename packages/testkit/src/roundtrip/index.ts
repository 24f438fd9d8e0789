import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleResult, repoRoot, runBundle } from '../run-bundle';
import { startS3Server } from '../s3-server/index';
import { startVaultTarget, type VaultTarget } from './vault-target';

const BUCKET = 'vault-backups';
const SECRETS: Record<string, Record<string, string>> = {
  'secret/app/db': { username: 'app', password: 'correct-horse-battery-staple' },
  'secret/app/api': { key: 'k-0123456789abcdef' },
  'secret/team/oncall': { pager: '+1-555-0100' },
};

type Print = (line: string) => void;

async function must(target: VaultTarget, method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
  const res = await target.api(method, path, body, token);
  if (res.status >= 400) throw new Error(`${method} /v1/${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Writes the project's snapshot policy and an AppRole role, as the setup command does; returns role and secret ID. */
async function prepareSource(source: VaultTarget): Promise<{ roleId: string; secretId: string }> {
  const policy = readFileSync(join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8');
  await must(source, 'PUT', 'sys/policies/acl/vault-raft-backup', { policy });
  await must(source, 'POST', 'sys/auth/approle', { type: 'approle' });
  await must(source, 'POST', 'auth/approle/role/vault-raft-backup', { token_policies: ['vault-raft-backup'], token_ttl: '10m', token_max_ttl: '15m', secret_id_ttl: '1h' });
  const roleId = ((await must(source, 'GET', 'auth/approle/role/vault-raft-backup/role-id')) as { data: { role_id: string } }).data.role_id;
  const secretId = ((await must(source, 'POST', 'auth/approle/role/vault-raft-backup/secret-id', {})) as { data: { secret_id: string } }).data.secret_id;
  for (const [path, data] of Object.entries(SECRETS)) await must(source, 'PUT', path, data);
  return { roleId, secretId };
}

async function step(print: Print, n: number, name: string, run: () => Promise<BundleResult>, detail: (r: BundleResult) => string): Promise<BundleResult> {
  const started = Date.now();
  const result = await run();
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  if (result.code !== 0) {
    print(`  ${n} ${name.padEnd(16)} FAILED (exit ${result.code})`);
    for (const line of result.stdout.trim().split('\n').slice(-15)) print(`      ${line}`);
    if (result.stderr.trim()) print(`      stderr: ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    throw new Error(`${name} failed`);
  }
  print(`  ${n} ${name.padEnd(16)} ok  ${seconds.padStart(5)}s  ${detail(result)}`);
  return result;
}

function field(r: BundleResult, msg: RegExp, key: string): string {
  const line = r.lines.find((l) => typeof l.msg === 'string' && msg.test(l.msg) && l[key] !== undefined);
  return line ? String(line[key]) : '?';
}

/** Backup -> restore round trip with the real bundles, a real S3 server and a Vault (real binary or the double). */
export async function roundTrip(print: Print = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'vault-raft-backup-roundtrip-'));
  const s3 = await startS3Server({ buckets: [BUCKET] });
  const source = await startVaultTarget('source');
  let target: VaultTarget | undefined;
  try {
    print(`vault-raft-backup round trip, using the ${source.kind}${source.kind === 'vault test double' ? ' (no vault binary on PATH)' : ''}`);
    print(`  source Vault  ${source.url}   S3 ${s3.endpoint} bucket ${BUCKET} (s3rver)   work dir ${work}`);
    const { roleId, secretId } = await prepareSource(source);
    print(`  prepared: snapshot policy, AppRole role, ${Object.keys(SECRETS).length} secrets`);
    const tokenFile = join(work, 'token');
    const snapshotFile = join(work, 'backup', 'vault.snap');
    const restoreFile = join(work, 'restore', 'vault.snap');
    for (const d of ['backup', 'restore']) mkdirSync(join(work, d));
    const common = { VAULT_ADDR: source.url, LOG_LEVEL: 'info' };
    await step(print, 1, 'approle-login', () => runBundle('approle-login', { env: { ...common, VAULT_ROLE_ID: roleId, VAULT_SECRET_ID: secretId, VAULT_TOKEN_FILE: tokenFile } }), () => `token -> ${tokenFile} (0600)`);
    await step(print, 2, 'snapshot-taker', () => runBundle('snapshot-taker', { env: { ...common, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: snapshotFile } }), (r) => `${field(r, /verified/, 'bytes')} bytes, index ${field(r, /verified/, 'index')}, sha256 ${field(r, /verified/, 'sha256').slice(0, 16)}…`);
    await step(print, 3, 's3-uploader', () => runBundle('s3-uploader', { env: { ...s3.env(), SNAPSHOT_FILE: snapshotFile, S3_BUCKET: BUCKET } }), () => 'multipart upload, verified, latest by server-side copy');
    print(`                        stored: ${(await s3.listKeys(BUCKET)).join(', ')}`);
    target = await startVaultTarget('target', source.kind === 'real vault binary');
    const peers = target.nodes.slice(1);
    print(`  fresh Vault   ${target.nodes.join(' ')} (${target.nodes.length} raft nodes with retry_join, uninitialized)`);
    await step(print, 4, 'restore-fetcher', () => runBundle('restore-fetcher', { env: { ...s3.env(), S3_BUCKET: BUCKET, SNAPSHOT_FILE: restoreFile } }), () => `latestbackup.snap -> ${restoreFile}`);
    const keysFile = join(work, 'unseal-keys');
    const verifyTokenFile = join(work, 'verify-token');
    writeFileSync(keysFile, `${source.unsealKeys.join('\n')}\n`, { mode: 0o600 });
    writeFileSync(verifyTokenFile, source.rootToken, { mode: 0o600 });
    await step(
      print,
      5,
      'restore-runner',
      () =>
        runBundle('restore-runner', {
          env: { VAULT_ADDR: target?.url, SNAPSHOT_FILE: restoreFile, HOSTNAME: 'vault-0', VAULT_UNSEAL_KEYS_FILE: keysFile, RESTORE_VERIFY_TOKEN_FILE: verifyTokenFile, RESTORE_PEER_ADDRS: peers.join(','), RESTORE_EXIT_WHEN_DONE: 'true' },
          timeoutMs: 180_000,
        }),
      (r) => `temporary init ${field(r, /^initializing Vault/, 'threshold')} of ${field(r, /^initializing Vault/, 'shares')} keys (${field(r, /^initializing Vault/, 'why')}), restored, unsealed with the source keys, ${peers.length} followers unsealed, verified`,
    );
    await checkRestored(print, source, target);
    print('ROUND TRIP OK');
  } finally {
    await target?.close();
    await source.close();
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function checkRestored(print: Print, source: VaultTarget, target: VaultTarget): Promise<void> {
  let same = 0;
  for (const [path, data] of Object.entries(SECRETS)) {
    const res = await target.api('GET', path, undefined, source.rootToken);
    const got = (res.body as { data?: unknown } | undefined)?.data;
    if (res.status === 200 && JSON.stringify(got) === JSON.stringify(data)) same++;
  }
  if (same !== Object.keys(SECRETS).length) throw new Error(`only ${same}/${Object.keys(SECRETS).length} secrets came back after restore`);
  const health = await fetch(`${target.url}/v1/sys/health`);
  if (health.status !== 200) throw new Error(`restored Vault is not active and unsealed (sys/health ${health.status})`);
  for (const node of target.nodes.slice(1)) {
    const standby = await fetch(`${node}/v1/sys/health`);
    if (standby.status !== 429) throw new Error(`follower ${node} is not an unsealed standby (sys/health ${standby.status})`);
  }
  print(`  check: the leader is active, ${target.nodes.length - 1} followers are unsealed standbys, ${same}/${Object.keys(SECRETS).length} secrets served with the source root token`);
  await must(target, 'PUT', 'sys/seal', undefined, source.rootToken);
  let sealed = true;
  for (const key of source.unsealKeys) {
    if (!sealed) break;
    sealed = ((await must(target, 'PUT', 'sys/unseal', { key })) as { sealed: boolean }).sealed;
  }
  if (sealed) throw new Error('the source cluster\'s unseal keys do not unseal the restored Vault');
  print('  check: sealed again with the source root token, unsealed again with the source cluster\'s keys');
}
