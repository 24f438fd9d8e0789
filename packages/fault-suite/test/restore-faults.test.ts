import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { backupVault, tokenFor } from './support/vault';
import { startVaultProxy } from './support/vault-proxy';

let source: VaultDouble;
let snapshotFile: string;
let keysFile: string;

beforeAll(async () => {
  source = await backupVault({ secretShares: 3, secretThreshold: 2 });
  source.putSecret('app/db', { password: 'source-password' });
  const dir = workDir('restore-src');
  snapshotFile = join(dir, 'vault.snap');
  const taken = await run('snapshot-taker', { VAULT_ADDR: source.url, VAULT_TOKEN: await tokenFor(source), SNAPSHOT_FILE: snapshotFile });
  if (taken.code !== 0) throw new Error(`could not take the source snapshot: ${taken.stdout}`);
  keysFile = join(dir, 'unseal-keys');
  writeFileSync(keysFile, `${source.unsealKeys.join('\n')}\n`, { mode: 0o600 });
  for (const k of source.unsealKeys) keepSecret('source unseal key', k, keysFile);
});
afterAll(async () => {
  await source.close();
  removeWorkDirs();
});

/** A copy of the verified snapshot and sidecar in a fresh folder. */
function snapshotCopy(): string {
  const file = join(workDir('restore'), 'vault.snap');
  writeFileSync(file, readFileSync(snapshotFile));
  writeFileSync(`${file}.json`, readFileSync(`${snapshotFile}.json`));
  return file;
}

it('R-UNKNOWN-SEAL: a Vault reporting a seal type the runner does not know is never initialized: exit 1 naming the type', async () => {
  const target = await backupVault({ initialized: false });
  const proxy = await startVaultProxy(target.url, (_method, path, body) => (path === '/v1/sys/seal-status' ? { ...body, type: 'hsm-unknown' } : body));
  try {
    await withFault(
      { id: 'R-UNKNOWN-SEAL', area: 'Bad input', fault: 'unknown seal type at restore', injection: 'a proxy rewrites sys/seal-status type to "hsm-unknown" in front of a fresh Vault double', expected: 'exit 1 naming the seal type "hsm-unknown", no PUT sys/init, no restore request' },
      async (f) => {
        f.inject();
        const result = await run('restore-runner', { VAULT_ADDR: proxy.url, SNAPSHOT_FILE: snapshotCopy(), VAULT_UNSEAL_KEYS_FILE: keysFile, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '5s' });
        expect(result.code).toBe(1);
        expect(lastMsg(result)).toContain('hsm-unknown');
        f.intact('Vault not initialized', !target.state().initialized && !target.requests.some((r) => r.method === 'PUT' && r.path === '/v1/sys/init'));
        f.intact('no restore upload', !target.requests.some((r) => r.path.startsWith('/v1/sys/storage/raft/snapshot')));
      },
    );
  } finally {
    await proxy.close();
    await target.close();
  }
});

it('R-ROUNDTRIP-SECRETS: a full restore prints neither the temporary init keys and root token nor the source keys, and writes them to no file', async () => {
  const target = await backupVault({ initialized: false });
  const proxy = await startVaultProxy(target.url);
  try {
    await withFault(
      { id: 'R-ROUNDTRIP-SECRETS', area: 'Security', fault: 'secrets of a restore', injection: 'restore-runner through a recording proxy that captures the PUT sys/init answer (temporary root token and keys); source unseal keys from a file', expected: 'exit 0, source data served, the temporary root token rejected afterwards, none of these values in any output or file but the keys file' },
      async (f) => {
        const file = snapshotCopy();
        const result = await run('restore-runner', { VAULT_ADDR: proxy.url, SNAPSHOT_FILE: file, VAULT_UNSEAL_KEYS_FILE: keysFile, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '20s' });
        const init = proxy.initResponses[0] ?? {};
        const temporary = [init.root_token, ...((init.keys as string[]) ?? []), ...((init.keys_base64 as string[]) ?? [])].filter((v): v is string => typeof v === 'string');
        expect(temporary.length).toBeGreaterThan(1);
        for (const v of temporary) keepSecret('temporary init secret', v);
        f.inject(temporary.length);
        expect(result.code).toBe(0);
        const read = await fetch(`${target.url}/v1/secret/app/db`, { headers: { 'x-vault-token': source.rootToken } });
        expect(((await read.json()) as { data: { password: string } }).data.password).toBe('source-password');
        const old = await fetch(`${target.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': String(init.root_token) } });
        expect(old.status).toBe(403);
        f.intact('snapshot file still there', tree(join(file, '..')).includes('vault.snap'));
      },
    );
  } finally {
    await proxy.close();
    await target.close();
  }
});

describe('secrets', () => {
  itLeaksNoSecret();
});
