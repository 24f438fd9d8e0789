import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomStream, sampleState, snapshotArchiveBuffer, snapshotArchiveStream, type VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run, start } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { startCrawlingSnapshot, startSlowReader } from './support/hostile-vault';
import { withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupVault, tokenFor } from './support/vault';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  removeWorkDirs();
});

async function vault(options: Parameters<typeof backupVault>[0] = {}): Promise<VaultDouble> {
  const d = await backupVault(options);
  closers.push(() => d.close());
  return d;
}

describe('a snapshot that crawls', () => {
  it('V-CRAWL-SNAPSHOT: a snapshot stream that sends a few bytes now and then forever is ended by the speed floor: SNAPSHOT_STALLED, earlier snapshot kept', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 9, term: 3 }, state: sampleState(256 * 1024, 'crawl') });
    const crawler = await startCrawlingSnapshot(archive, { chunkBytes: 8, everyMs: 100 });
    closers.push(crawler.close);
    await withFault(
      {
        id: 'V-CRAWL-SNAPSHOT',
        area: 'Vault',
        fault: 'snapshot stream crawls (80 B/s, never ends)',
        injection: 'a server answers the snapshot GET 200 and sends 8 bytes of a valid archive every 100 ms; VAULT_TRANSFER_MIN_SPEED=1KiB, VAULT_TRANSFER_SPEED_TIME=2s',
        expected: 'exit 1 SNAPSHOT_STALLED "too slow" naming the floor, within seconds; earlier snapshot and sidecar kept, no temp file',
      },
      async (f) => {
        const dir = workDir('crawl');
        const prev = previousBackup(dir);
        f.inject();
        const result = await run('snapshot-taker', { VAULT_ADDR: crawler.url, VAULT_TOKEN: 'hvs.not-a-real-token-0000', SNAPSHOT_FILE: prev.file, VAULT_REVOKE_TOKEN: 'false', VAULT_TRANSFER_MIN_SPEED: '1KiB', VAULT_TRANSFER_SPEED_TIME: '2s' }, { timeoutMs: 25_000 });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_STALLED' });
        expect(lastMsg(result)).toMatch(/^snapshot stream too slow: Vault sent \d+B in the last 2s, fewer than 1KiB\/s/);
        expectPreviousIntact(f, dir, prev);
      },
    );
  });

  it('V-FIRST-BYTE-LATE: a snapshot whose first byte takes longer than VAULT_TIMEOUT is waited for (SNAPSHOT_FIRST_BYTE_TIMEOUT)', async () => {
    const d = await vault({ snapshotFirstByteMs: 3000 });
    await withFault(
      { id: 'V-FIRST-BYTE-LATE', area: 'Vault', fault: 'first byte of the snapshot after 3 s', injection: 'double snapshotFirstByteMs=3000 (Vault sizes the archive first); VAULT_TIMEOUT=1s', expected: 'one snapshot request, exit 0, verified snapshot written' },
      async (f) => {
        const dir = workDir('first-byte');
        f.inject();
        const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: join(dir, 'vault.snap'), VAULT_TIMEOUT: '1s' });
        expect(result.code).toBe(0);
        expect(d.requests.filter((r) => r.path === '/v1/sys/storage/raft/snapshot')).toHaveLength(1);
      },
    );
  });
});

describe('a restore upload that crawls', () => {
  it('V-CRAWL-UPLOAD: a snapshot-force whose body Vault reads at 16 KiB/s is ended by the speed floor: VAULT_TIMEOUT', async () => {
    const fresh = await vault({ initialized: false });
    const reader = await startSlowReader(fresh.url, 16 * 1024);
    closers.push(reader.close);
    await withFault(
      {
        id: 'V-CRAWL-UPLOAD',
        area: 'Vault',
        fault: 'restore upload crawls (16 KiB/s)',
        injection: 'a server in front of a fresh double reads the POST sys/storage/raft/snapshot-force body of a 24 MiB snapshot at 16 KiB/s and never answers; VAULT_TRANSFER_MIN_SPEED=256KiB, VAULT_TRANSFER_SPEED_TIME=2s',
        expected: 'exit 1 VAULT_TIMEOUT "transfer too slow" naming the floor and POST /v1/sys/storage/raft/snapshot-force, within seconds',
      },
      async (f) => {
        const dir = workDir('crawl-upload');
        const file = join(dir, 'vault.snap');
        const size = 24 * 1024 * 1024;
        await pipeline(snapshotArchiveStream({ meta: { index: 11, term: 2 }, state: { size, stream: () => randomStream(size, 'crawl-upload') } }), createWriteStream(file));
        const keys = join(dir, 'keys');
        writeFileSync(keys, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
        f.inject();
        const result = await run(
          'restore-runner',
          { VAULT_ADDR: reader.url, SNAPSHOT_FILE: file, VAULT_UNSEAL_KEYS_FILE: keys, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '10s', VAULT_TRANSFER_MIN_SPEED: '256KiB', VAULT_TRANSFER_SPEED_TIME: '2s' },
          { timeoutMs: 40_000 },
        );
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_TIMEOUT' });
        expect(lastMsg(result)).toMatch(/^transfer too slow: Vault took \S+ in the last 2s, fewer than 256KiB\/s .*: POST \/v1\/sys\/storage\/raft\/snapshot-force$/);
        expect(reader.seen.some((s) => s.method === 'POST' && s.path === '/v1/sys/storage/raft/snapshot-force')).toBe(true);
      },
    );
  });
});

describe('RUN_TIMEOUT', () => {
  it('V-RUN-TIMEOUT: a step that does not finish within RUN_TIMEOUT stops with RUN_TIMEOUT and leaves the earlier snapshot', async () => {
    const d = await vault({ snapshotFirstByteMs: 60_000 });
    await withFault(
      { id: 'V-RUN-TIMEOUT', area: 'Process', fault: 'a step that hangs', injection: 'double snapshotFirstByteMs=60000; snapshot-taker with RUN_TIMEOUT=2s', expected: 'exit 1 RUN_TIMEOUT naming the deadline within seconds, earlier snapshot and sidecar kept, no temp file' },
      async (f) => {
        const dir = workDir('run-timeout');
        const prev = previousBackup(dir);
        f.inject();
        const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: prev.file, RUN_TIMEOUT: '2s', VAULT_REVOKE_TOKEN: 'false' }, { timeoutMs: 25_000 });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'RUN_TIMEOUT', msg: 'snapshot-taker did not finish within RUN_TIMEOUT (2s): stopped' });
        expectPreviousIntact(f, dir, prev);
      },
    );
  });

  it('V-RUN-TIMEOUT-IDLE: a restore-runner sidecar that idles after its work outlives RUN_TIMEOUT and stops with exit 0 on SIGTERM', async () => {
    const live = await vault();
    await withFault(
      { id: 'V-RUN-TIMEOUT-IDLE', area: 'Process', fault: 'RUN_TIMEOUT while a sidecar idles', injection: 'restore-runner against an initialized Vault (declines, then idles) with RUN_TIMEOUT=1s; SIGTERM 3 s after it idles', expected: 'still running after the deadline; exit 0 on SIGTERM, no RUN_TIMEOUT line' },
      async (f) => {
        const dir = workDir('idle');
        const child = start('restore-runner', { VAULT_ADDR: live.url, SNAPSHOT_FILE: join(dir, 'vault.snap'), HOSTNAME: 'vault-0', RUN_TIMEOUT: '1s' });
        await child.waitForLine((l) => l.msg === 'done; idling until SIGTERM');
        await new Promise((r) => setTimeout(r, 3000));
        f.inject();
        expect(child.child.exitCode).toBeNull();
        child.child.kill('SIGTERM');
        const result = await child.done;
        expect(result.code).toBe(0);
        expect(result.lines.some((l) => l.code === 'RUN_TIMEOUT' || l.msg === 'run deadline reached, stopping')).toBe(false);
      },
    );
  });
});

describe('secrets', () => {
  itLeaksNoSecret();
});
