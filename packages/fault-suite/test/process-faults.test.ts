import { readFileSync } from 'node:fs';
import { snapshotKey } from '@vault-raft-backup/common';
import type { S3Client } from '@aws-sdk/client-s3';
import { type S3FaultProxy, type S3Server, startS3FaultProxy, startS3Server, type VaultDouble } from '@vault-raft-backup/testkit';
import { run, start } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { BUCKET, expectOnlyOldLatest, objectSha, putOldLatest, uploaderEnv, writeSnapshotFile } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupVault, lookupStatus, tokenFor } from './support/vault';

const SECRET = `fault-suite-process-secret-${process.pid}`;
let d: VaultDouble;
let server: S3Server;
let proxy: S3FaultProxy;
let client: S3Client;

beforeAll(async () => {
  keepSecret('AWS secret key', SECRET);
  d = await backupVault({ fillerBytes: 1024 * 1024 });
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startS3FaultProxy({ target: server.endpoint, secretAccessKey: SECRET });
  client = server.client();
});
afterAll(async () => {
  proxy.releaseHeld();
  await proxy.close();
  await server.close();
  await d.close();
  removeWorkDirs();
});

describe('SIGTERM', () => {
  it('P-SIGTERM-DOWNLOAD: during the snapshot download it stops promptly: exit 1 ABORTED, no temp file, earlier snapshot kept, token revoked', () =>
    withFault(
      { id: 'P-SIGTERM-DOWNLOAD', area: 'Process', fault: 'SIGTERM during snapshot download', injection: 'stream stalls after 128 KiB (stall timeout 60 s); SIGTERM once the temp file exists', expected: 'exits by itself (no SIGKILL) with 1, ABORTED "stopped by SIGTERM", no temp file, earlier snapshot kept, token revoked' },
      async (f) => {
        const dir = workDir('term-download');
        const prev = previousBackup(dir);
        const token = await tokenFor(d);
        d.faults.stallSnapshotAfterBytes = 128 * 1024;
        try {
          const child = start('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file, SNAPSHOT_STALL_TIMEOUT: '60s' });
          await child.waitForLine((l) => l.msg === 'requesting raft snapshot');
          await new Promise((r) => setTimeout(r, 300));
          f.inject();
          child.child.kill('SIGTERM');
          const result = await child.done;
          expect(result.signal).toBeNull();
          expect(result.code).toBe(1);
          expect(result.lines.some((l) => l.msg === 'signal received, stopping')).toBe(true);
          expect(result.lines.at(-1)).toMatchObject({ level: 'error', code: 'ABORTED', msg: expect.stringContaining('stopped by SIGTERM') });
          expectPreviousIntact(f, dir, prev);
          expect(await lookupStatus(d, token)).toBe(403);
        } finally {
          d.faults.stallSnapshotAfterBytes = undefined;
        }
      },
    ));

  it('P-SIGTERM-UPLOAD: during the upload it stops promptly: exit 1 ABORTED, multipart upload aborted, no object, latest untouched', () =>
    withFault(
      { id: 'P-SIGTERM-UPLOAD', area: 'Process', fault: 'SIGTERM during upload', injection: 'proxy holds UploadPart of part 2; SIGTERM once it is held', expected: 'exits by itself with 1, ABORTED, AbortMultipartUpload sent, no pending upload, no object, latest byte-identical' },
      async (f) => {
        const prefix = 'sigterm/';
        await putOldLatest(client, prefix);
        const snap = await writeSnapshotFile(workDir('term-upload'), 'vault.snap', 12 * 1024 * 1024, '2026-11-29T05:00:00.000Z');
        proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'hold' } });
        try {
          const child = start('s3-uploader', uploaderEnv(server, proxy, SECRET, { SNAPSHOT_FILE: snap.file, S3_PREFIX: prefix }));
          while (!proxy.requests.some((r) => r.op === 'UploadPart' && r.fault === 'hold')) await new Promise((r) => setTimeout(r, 20));
          f.inject();
          child.child.kill('SIGTERM');
          const result = await child.done;
          expect(result.signal).toBeNull();
          expect(result.code).toBe(1);
          expect(result.lines.at(-1)).toMatchObject({ level: 'error', code: 'ABORTED' });
          f.intact('no orphan multipart upload', proxy.pendingUploads().length === 0);
          await expectOnlyOldLatest(f, server, client, prefix);
        } finally {
          proxy.rules.splice(0);
          proxy.releaseHeld();
        }
      },
    ));
});

describe('two backups at once', () => {
  it('P-CONCURRENT: two backups whose runs overlap give two distinct objects and latest ends on a complete one', () =>
    withFault(
      {
        id: 'P-CONCURRENT',
        area: 'Process',
        fault: 'two backups at once',
        injection: 'two snapshots of one Vault taken in different seconds (as overlapping CronJob runs are), then both s3-uploader runs in parallel into one prefix',
        expected: 'two distinct timestamped objects each equal to its file, latest equal to one of them; each run exits 0, or 1 only for the latest race documented below',
      },
      async (f) => {
        const prefix = 'concurrent/';
        const files = [`${workDir('conc-a')}/vault.snap`, `${workDir('conc-b')}/vault.snap`];
        const take = async (file: string) => run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: await tokenFor(d), SNAPSHOT_FILE: file });
        const second = (file: string) => String(JSON.parse(readFileSync(`${file}.json`, 'utf8')).takenAt).slice(0, 19);
        const taken = [await take(files[0] ?? '')];
        // snapshot keys carry the second the snapshot was taken: the second backup's snapshot is taken in a later second (see "Found by the suite")
        do taken[1] = await take(files[1] ?? '');
        while (second(files[0] ?? '') === second(files[1] ?? ''));
        expect(taken.map((r) => `${r.code} ${String(r.lines.at(-1)?.msg)}`)).toEqual([expect.stringMatching(/^0 /), expect.stringMatching(/^0 /)]);
        const records = files.map((file) => JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { sha256: string; takenAt: string });
        f.inject();
        const uploaded = await Promise.all(files.map((file) => run('s3-uploader', uploaderEnv(server, proxy, SECRET, { SNAPSHOT_FILE: file, S3_PREFIX: prefix }))));
        // one run may exit 1 on latest when the other overwrote it between its copy and its check (see "Found by the suite"); what must hold is below
        expect(uploaded.map((r) => (r.code === 0 ? 'ok' : String(r.lines.at(-1)?.msg)))).toEqual(uploaded.map((r) => (r.code === 0 ? 'ok' : expect.stringContaining('s3://backups/concurrent/latestbackup.snap'))));
        const keys = records.map((r) => snapshotKey(prefix, r.takenAt));
        f.intact(`two distinct objects (${keys.join(', ')})`, new Set(keys).size === 2);
        const stored = await Promise.all(keys.map((k) => objectSha(client, k)));
        f.intact('each object equals its snapshot file', stored[0] === records[0]?.sha256 && stored[1] === records[1]?.sha256);
        const latest = await objectSha(client, `${prefix}latestbackup.snap`);
        f.intact('latest is one of the two complete snapshots', records.some((r) => r.sha256 === latest));
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
